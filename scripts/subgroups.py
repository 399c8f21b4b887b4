"""Rule subgroups."""

import pandas as pd

from sbrtlung.analysis.subgroups import subgroups
from sbrtlung.logs import logged
from sbrtlung.tables import write_csv

with logged(snakemake):
    i = snakemake.input
    table = subgroups(
        pd.read_parquet(i.adtte),
        pd.read_parquet(i.adsl),
        pd.read_parquet(i.adles),
        snakemake.params.horizon,
    )
    write_csv(table, snakemake.output[0])
