"""Rule simulation_study_design: the study's design and configuration, from the config alone."""

from sbrtlung.logs import logged
from sbrtlung.simulation_study import trials as simulation_study
from sbrtlung.tables import write_json

with logged(snakemake):
    write_json(simulation_study.study_design(snakemake.params.config), snakemake.output[0])
