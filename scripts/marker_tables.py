"""Rule marker_tables."""

from pathlib import Path

import pandas as pd

from sbrtlung.formatting import markdown_table
from sbrtlung.logs import logged
from sbrtlung.marker_cox import cox_table, remark_table
from sbrtlung.markers import summary_table

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    # name -> (table, number of left-aligned label columns)
    tables = {
        "markers": (summary_table(pd.read_csv(i.summary)), 2),
        "cox": (cox_table(pd.read_csv(i.cox)), 3),
        "remark": (remark_table(pd.read_csv(i.remark)), 2),
    }
    for name, (table, labels) in tables.items():
        table.to_csv(o[f"{name}_csv"], index=False, lineterminator="\n")
        align = "l" * labels + "r" * (table.shape[1] - labels)
        Path(o[f"{name}_md"]).write_text(markdown_table(table, align), encoding="utf-8")
