"""Rule model_repeat: one outer repeat of the nested cross-validation of every model."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.models import cv, data
from sbrtlung.reporting.tables import write_csv

with logged(snakemake) as log:
    p, o = snakemake.params, snakemake.output
    repeat = int(snakemake.wildcards.repeat)
    cohorts = data.cohorts(
        pd.read_parquet(snakemake.input.adsl),
        pd.read_parquet(snakemake.input.adtte),
        pd.read_parquet(snakemake.input.adlb),
        p.landmark_days,
    )
    result = cv.run_repeat(
        cohorts,
        repeat,
        folds=p.folds,
        seed=p.seed,
        year_days=p.year_days,
        horizon_days=p.horizon_days,
    )
    write_csv(result.metrics, o.metrics)
    write_csv(result.coefficients, o.coefficients)
    write_csv(result.predictions, o.predictions)
    log.info("repeat %d: %d outer fits", repeat, len(result.metrics))
