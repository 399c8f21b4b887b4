"""Rule safety_tables."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.results_tables import ae_supplement, trae_table
from sbrtlung.reporting.tables import write_table

with logged(snakemake):
    worst = pd.read_csv(snakemake.input.worst_grade)
    write_table(trae_table(worst), markdown=snakemake.output.trae)
    supplement = ae_supplement(worst, pd.read_csv(snakemake.input.grade5))
    write_table(supplement, markdown=snakemake.output.supplement)
