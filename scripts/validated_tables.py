"""Rule validated_tables: the gate. Typed tables and the study period of the analysis when no
FATAL finding, else exit 1."""

import sys
from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.validation import gate

with logged(snakemake) as log:
    p = snakemake.params
    report = str(Path(snakemake.input.report).with_suffix(".md"))
    try:
        passed = gate.passed(
            p.folder,
            p.config,
            snakemake.input.redcap_rows,
            report,
            snakemake.input.redcap_notes,
        )
    except gate.GateFailed as failure:
        log.error("%s", failure)
        print(failure, file=sys.stderr)
        sys.exit(1)
    gate.write_tables(passed.tables, Path(snakemake.output.tables[0]).parent)
    passed.period.write(snakemake.output.period)
    log.info("study period: %s", passed.period)
