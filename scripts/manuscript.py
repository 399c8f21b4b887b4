"""Rule manuscript: render the Quarto project with quarto, or with pandoc + typst without it."""

from sbrtlung.logs import logged
from sbrtlung.manuscript.render import render, select_engine

with logged(snakemake) as log:
    engine = select_engine(snakemake.params.engine)
    log.info("engine: %s", engine)
    for path in render(snakemake.params.project, engine):
        log.info("wrote %s", path)
