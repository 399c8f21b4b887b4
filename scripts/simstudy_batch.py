"""Rule simulation_study_batch: one block of replicates of the simulation study."""

from sbrtlung import simstudy
from sbrtlung.logs import Progress, logged
from sbrtlung.reporting.tables import write_csv

with logged(snakemake) as log:
    config = simstudy.read_design(snakemake.input.design)["config"]
    batch = int(snakemake.wildcards.batch)
    study = config["simulation_study"]
    count = len(simstudy.batch_replicates(study["replicates"], study["batches"], batch))
    progress = Progress(log, count * len(simstudy.SCENARIOS), "simulated trials")
    results = simstudy.run_batch(config, batch, progress)
    write_csv(results, snakemake.output[0])
    log.info("batch %d: %d replicates per scenario", batch, results["replicate"].nunique())
