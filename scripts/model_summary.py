"""Rule model_summary: gather the repeats into performance, gains, selection, calibration."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.models import summary
from sbrtlung.reporting.tables import write_csv, write_json

with logged(snakemake) as log:
    i, o = snakemake.input, snakemake.output

    def gathered(paths):
        return pd.concat([pd.read_csv(path) for path in paths], ignore_index=True)

    fold_metrics = gathered(i.metrics)
    predictions = gathered(i.predictions)
    performance = summary.performance(fold_metrics)
    gains = summary.gains(fold_metrics)
    for frame, path in (
        (performance, o.performance),
        (gains, o.gain),
        (summary.repeat_metrics(fold_metrics), o.repeat_metrics),
        (summary.selection(gathered(i.coefficients)), o.selection),
        (summary.calibration(predictions, snakemake.params.horizon_days), o.calibration),
    ):
        write_csv(frame, path)
    write_json(summary.key_results(performance, gains), o.key_results)
    log.info("%d repeats gathered", fold_metrics["repeat"].nunique())
