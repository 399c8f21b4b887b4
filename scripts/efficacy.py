"""Rule efficacy."""

import pandas as pd

from sbrtlung import efficacy
from sbrtlung.key_results import write_json
from sbrtlung.logs import logged

with logged(snakemake) as log:
    p = snakemake.params
    adtte = pd.read_parquet(snakemake.input.adtte)
    adsl = pd.read_parquet(snakemake.input.adsl)
    rates = efficacy.rates(adtte, adsl, p.times, p.reps, p.seed, p.alpha_one_sided)
    rates.to_csv(snakemake.output.rates, index=False, lineterminator="\n")
    medians = efficacy.medians(adtte, adsl, p.month_days)
    medians.to_csv(snakemake.output.medians, index=False, lineterminator="\n")
    primary = efficacy.primary_decision(rates, "2y", p.lcr_null)
    write_json(primary, snakemake.output.primary)
    pattern = efficacy.failure_pattern(adtte, adsl)
    pattern.to_csv(snakemake.output.pattern, index=False, lineterminator="\n")
    log.info("primary decision: %s", primary)
