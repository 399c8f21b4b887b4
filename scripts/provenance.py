"""Rule provenance."""

from sbrtlung.logs import logged
from sbrtlung.reporting.provenance import describe_run
from sbrtlung.tables import write_json, write_table

with logged(snakemake):
    p = snakemake.params
    run = describe_run(list(snakemake.input.raw), p.config, p.git)
    write_json(run.record, snakemake.output.json)
    write_table(run.table, markdown=snakemake.output.table)
