"""Rule validation_report: every finding of the data contract, as Markdown and CSV."""

from sbrtlung.logs import logged
from sbrtlung.tables import write_markdown
from sbrtlung.validation import gate

with logged(snakemake) as log:
    p = snakemake.params
    result = gate.report(
        p.folder, p.config, snakemake.input.redcap_rows, snakemake.input.redcap_notes
    )
    gate.write_findings(result.findings, snakemake.output.csv)
    write_markdown(result.markdown, snakemake.output.md)
    log.info("findings by severity: %s", result.findings["severity"].value_counts().to_dict())
