"""Rule dmc."""

from pathlib import Path

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.monitoring.dmc import render_dmc
from sbrtlung.study import StudyPeriod
from sbrtlung.tables import read_json

with logged(snakemake):
    i, p = snakemake.input, snakemake.params
    render_dmc(
        {Path(f).stem: pd.read_parquet(f) for f in i.validated},
        {
            "adsl": pd.read_parquet(i.adsl),
            "adae": pd.read_parquet(i.adae),
            "findings": pd.read_csv(i.findings, dtype={"row": int}, keep_default_na=False),
            "worst_grade": pd.read_csv(i.worst_grade),
            "rates": pd.read_csv(i.rates),
            "status": read_json(i.status),
            "figure": i.figure,
        },
        p.settings,
        p.planned,
        p.folder,
        StudyPeriod.read(i.period).cut,
    )
