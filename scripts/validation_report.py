"""Rule validation_report: every finding of the data contract, as Markdown and CSV."""

from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.redcap.locate import located
from sbrtlung.validation.gate import report_markdown, validate_exports, write_findings
from sbrtlung.validation.period import study_period

with logged(snakemake) as log:
    period = study_period(snakemake.params.config)
    tables, findings = validate_exports(snakemake.params.folder, snakemake.params.config, period)
    findings = located(findings, snakemake.input.redcap_rows)
    write_findings(findings, snakemake.output.csv)
    report = report_markdown(findings, tables, period)
    Path(snakemake.output.md).write_text(report, encoding="utf-8")
    log.info("findings by severity: %s", findings["severity"].value_counts().to_dict())
