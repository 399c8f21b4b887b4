"""Rule adsl."""

import pandas as pd

from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.datasets import read_tables, write_dataset
from sbrtlung.logs import logged

with logged(snakemake):
    adles = pd.read_parquet(snakemake.input.adles)
    tables = read_tables(snakemake.input.tables)
    adsl = derive_adsl(tables, adles, snakemake.params.lost_after_days)
    write_dataset(adsl, "adsl", snakemake.output[0])
