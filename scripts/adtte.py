"""Rule adtte."""

import pandas as pd

from sbrtlung.adam.adtte import derive_adtte
from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.logs import logged

with logged(snakemake):
    adtte = derive_adtte(
        read_tables(snakemake.input.tables),
        pd.read_parquet(snakemake.input.adsl),
        pd.read_parquet(snakemake.input.adles),
        snakemake.params.month_days,
    )
    write_dataset(adtte, "adtte", snakemake.output[0])
