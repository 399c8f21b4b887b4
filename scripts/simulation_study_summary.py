"""Rule simulation_study_summary: gather the batches into performance measures."""

import pandas as pd

from sbrtlung import simstudy
from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_csv, write_json

with logged(snakemake) as log:
    config = simstudy.read_design(snakemake.input.design)["config"]
    results = pd.concat([pd.read_csv(path) for path in snakemake.input.batches], ignore_index=True)
    summary = simstudy.gather(results, config)
    write_csv(summary, snakemake.output.summary)
    write_json(simstudy.key_results(summary, config), snakemake.output.key_results)
    log.info("%d replicates per scenario gathered", results["replicate"].nunique())
