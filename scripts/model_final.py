"""Rule model_final: every model refitted on all patients, penalty chosen by CV on them."""

from sbrtlung.logs import logged
from sbrtlung.models import cv
from sbrtlung.models.data import read_cohorts
from sbrtlung.tables import write_csv

with logged(snakemake):
    p = snakemake.params
    cohorts = read_cohorts(snakemake.input, p.landmark_days)
    write_csv(cv.final_models(cohorts, folds=p.folds, seed=p.seed), snakemake.output[0])
