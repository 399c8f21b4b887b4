"""Rule safety."""

import pandas as pd

from sbrtlung import safety
from sbrtlung.key_results import write_json
from sbrtlung.logs import logged

with logged(snakemake):
    adae = pd.read_parquet(snakemake.input.adae)
    adsl = pd.read_parquet(snakemake.input.adsl)
    n_safety = int(adsl["SAFFL"].sum())
    write_json(safety.summary(adae, n_safety), snakemake.output.summary)
    tables = safety.worst_grade_tables(adae, n_safety)
    tables.to_csv(snakemake.output.worst_grade, index=False, lineterminator="\n")
    listing = safety.grade5_listing(adae, adsl)
    listing.to_csv(snakemake.output.grade5, index=False, lineterminator="\n")
