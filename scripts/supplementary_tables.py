"""Rule supplementary_tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.supplementary_analyses import supplementary_tables
from sbrtlung.tables import write_table

with logged(snakemake):
    i = snakemake.input
    tables = supplementary_tables(
        pd.read_csv(i.trae_by_grade),
        int(pd.read_parquet(i.adsl)["SAFFL"].sum()),
        pd.read_csv(i.sensitivity),
        pd.read_csv(i.sites),
        pd.read_csv(i.subgroups),
    )
    for name, table in tables.items():
        write_table(table, markdown=snakemake.output[name])
