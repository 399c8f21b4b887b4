"""Rule table_sbrt: SBRT characteristics per treated nodule."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.characteristics import sbrt
from sbrtlung.tables import write_table

with logged(snakemake):
    table = sbrt(pd.read_parquet(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
