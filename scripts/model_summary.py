"""Rule model_summary: gather the repeats into performance, gains, selection, calibration."""

from sbrtlung.logs import logged
from sbrtlung.models import summary
from sbrtlung.tables import read_csvs, write_csv, write_json

with logged(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    fold_metrics = read_csvs(i.metrics)
    result = summary.gather(
        fold_metrics,
        read_csvs(i.coefficients),
        read_csvs(i.predictions),
        snakemake.params.horizon_days,
    )
    for name in ("performance", "gain", "repeat_metrics", "selection", "calibration"):
        write_csv(getattr(result, name), o[name])
    write_json(result.key_results, o.key_results)
    log.info("%d repeats gathered", fold_metrics["repeat"].nunique())
