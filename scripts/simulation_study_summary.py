"""Rule simulation_study_summary: gather the batches into performance measures."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_csv, write_json
from sbrtlung.synthetic import simulation_study

with logged(snakemake) as log:
    config = simulation_study.read_design(snakemake.input.design)["config"]
    results = pd.concat([pd.read_csv(path) for path in snakemake.input.batches], ignore_index=True)
    summary = simulation_study.gather(results, config)
    write_csv(summary, snakemake.output.summary)
    write_json(simulation_study.key_results(summary, config), snakemake.output.key_results)
    log.info("%d replicates per scenario gathered", results["replicate"].nunique())
