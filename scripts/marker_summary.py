"""Rule marker_summary."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.markers import summary

with logged(snakemake) as log:
    table = summary(pd.read_parquet(snakemake.input.adlb))
    table.to_csv(snakemake.output[0], index=False, lineterminator="\n")
    log.info("%d marker-timepoint rows", len(table))
