"""Rule model_repeat: one outer repeat of the nested cross-validation of every model."""

from sbrtlung.logs import logged
from sbrtlung.models import cv
from sbrtlung.models.data import read_cohorts
from sbrtlung.tables import write_csv

with logged(snakemake) as log:
    p, o = snakemake.params, snakemake.output
    repeat = int(snakemake.wildcards.repeat)
    result = cv.run_repeat(
        read_cohorts(snakemake.input, p.landmark_days),
        repeat,
        folds=p.folds,
        seed=p.seed,
        year_days=p.year_days,
        horizon_days=p.horizon_days,
    )
    for name in ("metrics", "coefficients", "predictions"):
        write_csv(getattr(result, name), o[name])
    log.info("repeat %d: %d outer fits", repeat, len(result.metrics))
