"""Rule marker_tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.markers.cox import marker_tables
from sbrtlung.tables import write_table

with logged(snakemake):
    i, o = snakemake.input, snakemake.output
    tables = marker_tables(pd.read_csv(i.summary), pd.read_csv(i.cox), pd.read_csv(i.remark))
    for name, table in tables.items():
        write_table(table, o[f"{name}_csv"], o[f"{name}_md"])
