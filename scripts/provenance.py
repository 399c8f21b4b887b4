"""Rule provenance."""

from sbrtlung.logs import logged
from sbrtlung.reporting.provenance import provenance_table, record
from sbrtlung.reporting.tables import write_json, write_table

with logged(snakemake):
    p = snakemake.params
    prov = record(list(snakemake.input.raw), p.config, p.git)
    write_json(prov, snakemake.output.json)
    write_table(provenance_table(prov), markdown=snakemake.output.table)
