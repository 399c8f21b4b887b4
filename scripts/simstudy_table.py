"""Rule simulation_study_table: the design's operating characteristics as a table."""

from pathlib import Path

import pandas as pd

from sbrtlung import simstudy
from sbrtlung.formatting import markdown_table
from sbrtlung.logs import logged

with logged(snakemake):
    table = simstudy.results_table(pd.read_csv(snakemake.input[0]))
    table.to_csv(snakemake.output.csv, index=False, lineterminator="\n")
    Path(snakemake.output.md).write_text(markdown_table(table, "llrr"), encoding="utf-8")
