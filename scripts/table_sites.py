"""Rule table_sites: screening, enrollment and analysis sets by site."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.characteristics import sites
from sbrtlung.tables import write_table

with logged(snakemake):
    screening = pd.read_parquet(snakemake.input.screening)
    table = sites(screening, pd.read_parquet(snakemake.input.adsl))
    write_table(table, snakemake.output.csv, snakemake.output.md)
