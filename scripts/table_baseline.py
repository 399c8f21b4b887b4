"""Rule table_baseline: patient characteristics of the safety set."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.characteristics import baseline
from sbrtlung.tables import write_table

with logged(snakemake):
    table = baseline(pd.read_parquet(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
