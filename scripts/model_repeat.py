"""Rule model_repeat: one outer repeat of the nested cross-validation of every model."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.models import cv, data

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
    result.metrics.to_csv(o.metrics, index=False, lineterminator="\n")
    result.coefficients.to_csv(o.coefficients, index=False, lineterminator="\n")
    result.predictions.to_csv(o.predictions, index=False, lineterminator="\n")
    log.info("repeat %d: %d outer fits", repeat, len(result.metrics))
