"""Rule model_tables: model performance with gains, and the TRIPOD+AI supplement tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.models.data import read_cohorts
from sbrtlung.models.tables import model_tables
from sbrtlung.study import Horizon
from sbrtlung.tables import write_table

with logged(snakemake):
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    tables = model_tables(
        read_cohorts(i, p.landmark_days),
        pd.read_csv(i.performance),
        pd.read_csv(i.gain),
        pd.read_csv(i.calibration),
        pd.read_csv(i.calibration_slope),
        folds=p.folds,
        repeats=p.repeats,
        landmark_days=p.landmark_days,
        horizon=Horizon(**p.horizon),
    )
    for name, table in tables.items():
        write_table(table, o[f"{name}_csv"], o[f"{name}_md"])
