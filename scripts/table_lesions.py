"""Rule table_lesions: characteristics of the treated nodules."""

import pandas as pd

from sbrtlung.characteristics import lesions, write_table
from sbrtlung.logs import logged

with logged(snakemake):
    table = lesions(pd.read_parquet(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
