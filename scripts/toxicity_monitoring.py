"""Rule toxicity_monitoring."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.monitoring.toxicity import monitor
from sbrtlung.tables import write_csv, write_json

with logged(snakemake):
    o = snakemake.output
    result = monitor(
        pd.read_parquet(snakemake.input.adsl),
        pd.read_parquet(snakemake.input.adae),
        snakemake.params.monitoring,
        snakemake.params.planned,
    )
    write_csv(result.table, o.boundary)
    write_json(result.status, o.status)
    write_csv(result.sequence.patients, o.sequence)
