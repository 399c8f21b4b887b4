"""Rule trae_by_grade."""

import pandas as pd

from sbrtlung.analysis.trae_grades import trae_by_grade
from sbrtlung.logs import logged
from sbrtlung.tables import write_csv

with logged(snakemake):
    i = snakemake.input
    write_csv(trae_by_grade(pd.read_parquet(i.adae), pd.read_parquet(i.adsl)), snakemake.output[0])
