"""Rule marker_tables."""

from pathlib import Path

import pandas as pd

from sbrtlung.formatting import markdown_table
from sbrtlung.logs import logged
from sbrtlung.marker_cox import cox_table, remark_table
from sbrtlung.markers import summary_table

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    tables = {
        "markers": summary_table(pd.read_csv(i.summary)),
        "cox": cox_table(pd.read_csv(i.cox)),
        "remark": remark_table(pd.read_csv(i.remark)),
    }
    for name, table in tables.items():
        table.to_csv(o[f"{name}_csv"], index=False, lineterminator="\n")
        Path(o[f"{name}_md"]).write_text(markdown_table(table), encoding="utf-8")
