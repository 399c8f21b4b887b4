"""Rule simulation_study_batch: one block of replicates of the simulation study."""

from sbrtlung.logs import logged
from sbrtlung.simulation_study import trials as simulation_study
from sbrtlung.tables import write_csv

with logged(snakemake) as log:
    config = simulation_study.read_design(snakemake.input.design)["config"]
    batch = int(snakemake.wildcards.batch)
    results = simulation_study.run_batch(config, batch)
    write_csv(results, snakemake.output[0])
    log.info("batch %d: %d replicates per scenario", batch, results["replicate"].nunique())
