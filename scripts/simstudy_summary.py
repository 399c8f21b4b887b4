"""Rule simulation_study_summary: gather the batches into performance measures."""

import pandas as pd

from sbrtlung import simstudy
from sbrtlung.key_results import write_json
from sbrtlung.logs import logged

with logged(snakemake) as log:
    config = simstudy.read_design(snakemake.input.design)["config"]
    results = pd.concat([pd.read_csv(path) for path in snakemake.input.batches], ignore_index=True)
    summary = simstudy.gather(results, config)
    summary.to_csv(snakemake.output.summary, index=False, lineterminator="\n")
    write_json(simstudy.key_results(summary, config), snakemake.output.key_results)
    log.info("%d replicates per scenario gathered", results["replicate"].nunique())
