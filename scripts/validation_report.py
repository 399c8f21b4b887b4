"""Rule validation_report: every finding of the data contract, as Markdown and CSV."""

from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.redcap.locate import located
from sbrtlung.reporting.tables import write_csv
from sbrtlung.validate import report_markdown, validate_exports

with logged(snakemake) as log:
    tables, findings = validate_exports(snakemake.params.folder, snakemake.params.config)
    findings = located(findings, snakemake.input.redcap_rows)
    write_csv(findings, snakemake.output.csv)
    Path(snakemake.output.md).write_text(report_markdown(findings, tables), encoding="utf-8")
    log.info("findings by severity: %s", findings["severity"].value_counts().to_dict())
