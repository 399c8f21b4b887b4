"""Rule model_final: every model refitted on all patients, penalty chosen by CV on them."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.models import cv, data
from sbrtlung.reporting.tables import write_csv

with logged(snakemake):
    p = snakemake.params
    cohorts = data.cohorts(
        pd.read_parquet(snakemake.input.adsl),
        pd.read_parquet(snakemake.input.adtte),
        pd.read_parquet(snakemake.input.adlb),
        p.landmark_days,
    )
    final = cv.final_models(cohorts, folds=p.folds, seed=p.seed)
    write_csv(final, snakemake.output[0])
