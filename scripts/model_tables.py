"""Rule model_tables: model performance with gains, and the TRIPOD+AI supplement table."""

from pathlib import Path

import pandas as pd

from sbrtlung.formatting import markdown_table
from sbrtlung.logs import logged
from sbrtlung.models import data, tables

with logged(snakemake):
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    performance = pd.read_csv(i.performance)
    models = tables.models_table(performance, pd.read_csv(i.gain))
    models.to_csv(o.models_csv, index=False, lineterminator="\n")
    Path(o.models_md).write_text(markdown_table(models, "lll" + "r" * 5), encoding="utf-8")
    cohorts = data.cohorts(
        pd.read_parquet(i.adsl), pd.read_parquet(i.adtte), pd.read_parquet(i.adlb), p.landmark_days
    )
    tripod = tables.tripod_table(
        cohorts,
        performance,
        pd.read_csv(i.calibration),
        folds=p.folds,
        repeats=p.repeats,
        landmark_days=p.landmark_days,
        horizon_days=p.horizon_days,
        year_days=p.year_days,
    )
    tripod.to_csv(o.tripod_csv, index=False, lineterminator="\n")
    Path(o.tripod_md).write_text(markdown_table(tripod, "l" * tripod.shape[1]), encoding="utf-8")
