"""Rule site_lcr."""

import pandas as pd

from sbrtlung.analysis.sites import sites
from sbrtlung.logs import logged
from sbrtlung.tables import write_csv, write_json

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    table, heterogeneity = sites(
        pd.read_parquet(i.adtte), pd.read_parquet(i.adsl), snakemake.params.horizon
    )
    write_csv(table, o.table)
    write_json(heterogeneity, o.heterogeneity)
