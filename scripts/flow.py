"""Rule flow."""

import pandas as pd

from sbrtlung.analysis.flow import flow_counts
from sbrtlung.logs import logged
from sbrtlung.tables import write_json

with logged(snakemake):
    i = snakemake.input
    counts = flow_counts(
        pd.read_parquet(i.screening[0]), pd.read_parquet(i.adsl), pd.read_parquet(i.adles)
    )
    write_json(counts, snakemake.output[0])
