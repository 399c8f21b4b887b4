"""Rule table_lesions: characteristics of the treated nodules."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.characteristics import lesions
from sbrtlung.tables import write_table

with logged(snakemake):
    table = lesions(pd.read_parquet(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
