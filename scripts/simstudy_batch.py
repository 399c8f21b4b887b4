"""Rule simulation_study_batch: one block of replicates of the simulation study."""

from sbrtlung import simstudy
from sbrtlung.logs import logged

with logged(snakemake) as log:
    config = simstudy.read_design(snakemake.input.design)["config"]
    batch = int(snakemake.wildcards.batch)
    results = simstudy.run_batch(config, batch)
    results.to_csv(snakemake.output[0], index=False, lineterminator="\n")
    log.info("batch %d: %d replicates per scenario", batch, results["replicate"].nunique())
