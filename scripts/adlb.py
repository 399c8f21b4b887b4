"""Rule adlb."""

import pandas as pd

from sbrtlung.adam.adlb import derive_adlb
from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.logs import logged

with logged(snakemake):
    p = snakemake.params
    adsl = pd.read_parquet(snakemake.input.adsl)
    adlb = derive_adlb(read_tables(snakemake.input.tables), adsl, p.windows, p.drop_out_of_window)
    write_dataset(adlb, "adlb", snakemake.output[0])
