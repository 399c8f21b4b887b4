"""Rule efficacy."""

import pandas as pd

from sbrtlung.analysis import efficacy
from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_csv, write_json

with logged(snakemake) as log:
    p, o = snakemake.params, snakemake.output
    result = efficacy.analyse(
        pd.read_parquet(snakemake.input.adtte),
        pd.read_parquet(snakemake.input.adsl),
        times=p.times,
        reps=p.reps,
        seed=p.seed,
        month_days=p.month_days,
        lcr_null=p.lcr_null,
        alpha_one_sided=p.alpha_one_sided,
    )
    write_csv(result.rates, o.rates)
    write_csv(result.medians, o.medians)
    write_json(result.primary, o.primary)
    write_csv(result.pattern, o.pattern)
    log.info("primary decision: %s", result.primary)
