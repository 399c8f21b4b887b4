"""Rule adsl."""

import pandas as pd

from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.logs import logged
from sbrtlung.study import StudyPeriod

with logged(snakemake):
    i = snakemake.input
    cut = StudyPeriod.read(i.period).cut
    adsl = derive_adsl(
        read_tables(i.tables),
        pd.read_parquet(i.adles),
        cut=cut,
        lost_after_days=snakemake.params.lost_after_days,
    )
    write_dataset(adsl, "adsl", snakemake.output[0])
