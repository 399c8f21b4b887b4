"""Rule efficacy."""

import pandas as pd

from sbrtlung.analysis import efficacy
from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_csv, write_json

with logged(snakemake) as log:
    p = snakemake.params
    adtte = pd.read_parquet(snakemake.input.adtte)
    adsl = pd.read_parquet(snakemake.input.adsl)
    rates = efficacy.rates(adtte, adsl, p.times, p.reps, p.seed, p.alpha_one_sided)
    write_csv(rates, snakemake.output.rates)
    medians = efficacy.medians(adtte, adsl, p.month_days)
    write_csv(medians, snakemake.output.medians)
    primary = efficacy.primary_decision(rates, "2y", p.lcr_null)
    write_json(primary, snakemake.output.primary)
    pattern = efficacy.failure_pattern(adtte, adsl)
    write_csv(pattern, snakemake.output.pattern)
    log.info("primary decision: %s", primary)
