"""Rule adsl."""

import pandas as pd

from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.logs import logged

with logged(snakemake):
    adles = pd.read_parquet(snakemake.input.adles)
    tables = read_tables(snakemake.input.tables)
    p = snakemake.params
    adsl = derive_adsl(tables, adles, p.lost_after_days, p.data_cut and pd.Timestamp(p.data_cut))
    write_dataset(adsl, "adsl", snakemake.output[0])
