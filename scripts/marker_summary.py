"""Rule marker_summary."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.markers.summary import summary
from sbrtlung.tables import write_csv

with logged(snakemake) as log:
    table = summary(pd.read_parquet(snakemake.input.adlb))
    write_csv(table, snakemake.output[0])
    log.info("%d marker-timepoint rows", len(table))
