"""Rule validated_tables: the gate. Typed tables when no FATAL finding, else exit 1."""

import sys
from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.redcap.locate import located
from sbrtlung.validation.gate import fatal_summary, validate_exports, write_tables

with logged(snakemake) as log:
    tables, findings = validate_exports(snakemake.params.folder, snakemake.params.config)
    findings = located(findings, snakemake.input.redcap_rows)
    if (findings["severity"] == "FATAL").any():
        report = Path(snakemake.input.report).with_suffix(".md")
        summary = fatal_summary(findings, limit=25, report=str(report))
        log.error(summary)
        print(summary, file=sys.stderr)
        sys.exit(1)
    write_tables(tables, Path(snakemake.output[0]).parent)
