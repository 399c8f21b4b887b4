"""Rule simulation_study_summary: gather the batches into performance measures."""

from sbrtlung.logs import logged
from sbrtlung.simulation_study import trials as simulation_study
from sbrtlung.tables import read_csvs, write_csv, write_json

with logged(snakemake) as log:
    config = simulation_study.read_design(snakemake.input.design)["config"]
    results = read_csvs(snakemake.input.batches)
    study = simulation_study.analyse_batches(results, config)
    write_csv(study.summary, snakemake.output.summary)
    write_json(study.key_results, snakemake.output.key_results)
    log.info("%d replicates per scenario gathered", results["replicate"].nunique())
