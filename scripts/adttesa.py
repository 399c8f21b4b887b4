"""Rule adttesa."""

import pandas as pd

from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.adam.lf_sensitivity import derive_all
from sbrtlung.logs import logged

with logged(snakemake):
    i = snakemake.input
    adttesa = derive_all(read_tables(i.tables), pd.read_parquet(i.adsl), pd.read_parquet(i.adles))
    write_dataset(adttesa, "adttesa", snakemake.output[0])
