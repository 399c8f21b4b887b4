"""Rule efficacy."""

import pandas as pd

from sbrtlung.analysis import efficacy
from sbrtlung.logs import logged
from sbrtlung.study import Horizon
from sbrtlung.tables import write_csv, write_json

with logged(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    result = efficacy.analyse(
        pd.read_parquet(i.adtte),
        pd.read_parquet(i.adsl),
        horizon=Horizon(**p.horizon),
        reps=p.reps,
        seed=p.seed,
        lcr_null=p.lcr_null,
        alpha_one_sided=p.alpha_one_sided,
    )
    for name in ("rates", "medians", "pattern"):
        write_csv(getattr(result, name), o[name])
    write_json(result.primary, o.primary)
    log.info("primary decision: %s", result.primary)
