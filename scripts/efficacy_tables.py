"""Rule efficacy_tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.results_tables import efficacy_table, pattern_table
from sbrtlung.reporting.tables import write_table

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    write_table(
        efficacy_table(pd.read_csv(i.rates), pd.read_csv(i.medians)), o.efficacy_csv, o.efficacy_md
    )
    write_table(pattern_table(pd.read_csv(i.pattern)), o.pattern_csv, o.pattern_md)
