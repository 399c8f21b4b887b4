"""Rule consort."""

from pathlib import Path

from sbrtlung.figures.consort import consort_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged
from sbrtlung.tables import read_json

with logged(snakemake):
    figure = consort_figure(read_json(snakemake.input[0]))
    save(figure, Path(snakemake.output.png).with_suffix(""))
