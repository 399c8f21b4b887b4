"""Rule sensitivity."""

import pandas as pd

from sbrtlung.analysis.sensitivity import sensitivity
from sbrtlung.logs import logged
from sbrtlung.tables import write_csv

with logged(snakemake):
    # The rule's params are the keywords of `sensitivity`: horizon, lcr_null, alpha_one_sided.
    table = sensitivity(pd.read_parquet(snakemake.input[0]), **snakemake.params)
    write_csv(table, snakemake.output[0])
