"""Rule efficacy."""

import pandas as pd

from sbrtlung.analysis import efficacy
from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_csv, write_json

with logged(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    # The rule's params are the keywords of `analyse`: times, reps, seed, month_days, lcr_null,
    # alpha_one_sided.
    result = efficacy.analyse(pd.read_parquet(i.adtte), pd.read_parquet(i.adsl), **snakemake.params)
    for name in ("rates", "medians", "pattern"):
        write_csv(getattr(result, name), o[name])
    write_json(result.primary, o.primary)
    log.info("primary decision: %s", result.primary)
