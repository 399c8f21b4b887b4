"""Rule simulate_trial: write the built-in synthetic trial's nine raw exports."""

from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.synthetic.cut import delivery
from sbrtlung.synthetic.simulate import write_exports

with logged(snakemake) as log:
    p = snakemake.params
    tables = delivery(p.simulation, p.seed, p.data_cut, p.corrected_before)
    write_exports(tables, Path(snakemake.output[0]).parent)
    log.info("rows: %s", {name: len(frame) for name, frame in tables.items()})
