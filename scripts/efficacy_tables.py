"""Rule efficacy_tables."""

from pathlib import Path

import pandas as pd

from sbrtlung.formatting import markdown_table
from sbrtlung.logs import logged
from sbrtlung.results_tables import efficacy_table, pattern_table

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    table = efficacy_table(pd.read_csv(i.rates), pd.read_csv(i.medians))
    table.to_csv(o.efficacy_csv, index=False, lineterminator="\n")
    Path(o.efficacy_md).write_text(markdown_table(table, "llrrrrl"), encoding="utf-8")
    pattern = pattern_table(pd.read_csv(i.pattern))
    pattern.to_csv(o.pattern_csv, index=False, lineterminator="\n")
    Path(o.pattern_md).write_text(markdown_table(pattern), encoding="utf-8")
