"""Rule safety_tables."""

from pathlib import Path

import pandas as pd

from sbrtlung.formatting import markdown_table
from sbrtlung.logs import logged
from sbrtlung.results_tables import worst_grade_markdown

with logged(snakemake):
    worst = pd.read_csv(snakemake.input.worst_grade)
    trae = worst_grade_markdown(worst, "treatment-related", "all")
    Path(snakemake.output.trae).write_text(trae, encoding="utf-8")
    parts = []
    for subset in ("treatment-related", "all-cause"):
        for phase in ("acute", "late", "all"):
            if (subset, phase) == ("treatment-related", "all"):
                continue  # the main table
            parts.append(f"**{subset.capitalize()} adverse events, {phase} phase**\n")
            parts.append(worst_grade_markdown(worst, subset, phase))
    grade5 = pd.read_csv(snakemake.input.grade5)
    parts.append("**Grade 5 events**\n")
    parts.append(markdown_table(grade5) if len(grade5) else "No grade 5 event.\n")
    Path(snakemake.output.supplement).write_text("\n".join(parts), encoding="utf-8")
