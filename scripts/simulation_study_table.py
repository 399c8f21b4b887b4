"""Rule simulation_study_table: the design's operating characteristics as a table."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.simulation_study import trials as simulation_study
from sbrtlung.tables import write_table

with logged(snakemake):
    table = simulation_study.results_table(pd.read_csv(snakemake.input[0]))
    write_table(table, snakemake.output.csv, snakemake.output.md)
