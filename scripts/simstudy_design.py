"""Rule simulation_study_design: the study's design and configuration, from the config alone."""

from sbrtlung import simstudy
from sbrtlung.key_results import write_json
from sbrtlung.logs import logged

with logged(snakemake):
    write_json(simstudy.study_design(snakemake.params.config), snakemake.output[0])
