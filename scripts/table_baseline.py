"""Rule table_baseline: patient characteristics of the safety set."""

import pandas as pd

from sbrtlung.characteristics import baseline, write_table
from sbrtlung.logs import logged

with logged(snakemake):
    table = baseline(pd.read_parquet(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
