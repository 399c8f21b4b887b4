"""Rule efficacy_tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.results_tables import efficacy_tables
from sbrtlung.study import Horizon
from sbrtlung.tables import write_table

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    tables = efficacy_tables(
        pd.read_csv(i.rates),
        pd.read_csv(i.medians),
        pd.read_csv(i.pattern),
        Horizon(**snakemake.params.horizon),
    )
    for name, table in tables.items():
        write_table(table, o[f"{name}_csv"], o[f"{name}_md"])
