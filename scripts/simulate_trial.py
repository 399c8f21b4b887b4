"""Rule simulate_trial: write the built-in synthetic trial's nine raw exports."""

from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.synthetic.simulate import simulate_trial, write_exports

with logged(snakemake) as log:
    tables = simulate_trial(snakemake.params.simulation, snakemake.params.seed)
    write_exports(tables, Path(snakemake.output[0]).parent)
    log.info("rows: %s", {name: len(frame) for name, frame in tables.items()})
