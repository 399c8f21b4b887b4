"""Rule safety_tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.results_tables import safety_tables
from sbrtlung.tables import write_table

with logged(snakemake):
    i = snakemake.input
    tables = safety_tables(pd.read_csv(i.worst_grade), pd.read_csv(i.grade5))
    for name, table in tables.items():
        write_table(table, markdown=snakemake.output[name])
