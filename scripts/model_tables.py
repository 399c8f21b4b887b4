"""Rule model_tables: model performance with gains, and the TRIPOD+AI supplement tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.models import data, tables
from sbrtlung.reporting.tables import write_table

with logged(snakemake):
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    performance = pd.read_csv(i.performance)
    write_table(tables.models_table(performance, pd.read_csv(i.gain)), o.models_csv, o.models_md)
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
    write_table(tripod, o.tripod_csv, o.tripod_md)
