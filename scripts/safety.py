"""Rule safety."""

import pandas as pd

from sbrtlung.analysis import safety
from sbrtlung.logs import logged
from sbrtlung.tables import write_csv, write_json

with logged(snakemake):
    o = snakemake.output
    result = safety.analyse(
        pd.read_parquet(snakemake.input.adae), pd.read_parquet(snakemake.input.adsl)
    )
    write_json(result.summary, o.summary)
    write_csv(result.worst_grade, o.worst_grade)
    write_csv(result.grade5, o.grade5)
