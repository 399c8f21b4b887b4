"""Rule simulation_study_design: the study's design and configuration, from the config alone."""

from sbrtlung import simstudy
from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_json

with logged(snakemake):
    write_json(simstudy.study_design(snakemake.params.config), snakemake.output[0])
