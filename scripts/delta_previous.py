"""Rule delta_previous: the previous delivery analysed as far as its key results; a failure
ends the rule with one line."""

import sys

from sbrtlung.logs import logged
from sbrtlung.monitoring.delta import DeltaError
from sbrtlung.monitoring.previous import build_previous

with logged(snakemake) as log:
    p = snakemake.params
    try:
        build_previous(p.config, p.raw_dir, p.folder, p.snakefile, snakemake.threads)
    except DeltaError as error:
        log.error("%s", error)
        print(error, file=sys.stderr)
        sys.exit(1)
