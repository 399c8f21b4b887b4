"""Rule table_sbrt: SBRT characteristics per treated nodule."""

import pandas as pd

from sbrtlung.characteristics import sbrt, write_table
from sbrtlung.logs import logged

with logged(snakemake):
    table = sbrt(pd.read_parquet(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
