"""Rule audit: the records of the build -> manuscript/_output/audit.html, results/audit.csv."""

from sbrtlung.logs import logged
from sbrtlung.manuscript import audit
from sbrtlung.manuscript.records import read_metadata

with logged(snakemake) as log:
    p, out = snakemake.params, snakemake.output
    entries = audit.write(
        p.project,
        read_metadata(p.records),
        p.rules,
        p.raw,
        p.config,
        snakemake.input.provenance,
        out.html,
        out.csv,
    )
    log.info("%d entries in %s and %s", len(entries), out.html, out.csv)
