"""Rule manuscript: render the Quarto project with quarto, or with pandoc + typst without it."""

from sbrtlung.logs import logged
from sbrtlung.manuscript.render import render

with logged(snakemake) as log:
    for path in render(snakemake.params.project, snakemake.params.engine):
        log.info("wrote %s", path)
