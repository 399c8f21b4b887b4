"""Rule checklists."""

from sbrtlung.logs import logged
from sbrtlung.reporting.checklists import checklists_markdown
from sbrtlung.tables import read_json, write_markdown

with logged(snakemake):
    write_markdown(checklists_markdown(read_json(snakemake.input[0])), snakemake.output[0])
