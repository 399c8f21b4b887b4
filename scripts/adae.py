"""Rule adae."""

import pandas as pd

from sbrtlung.adam.adae import derive_adae
from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.logs import logged

with logged(snakemake):
    adsl = pd.read_parquet(snakemake.input.adsl)
    adae = derive_adae(read_tables(snakemake.input.tables), adsl, snakemake.params.acute_days)
    write_dataset(adae, "adae", snakemake.output[0])
