"""Rule table_data_quality: protocol deviations and findings by severity and rule."""

from sbrtlung.adam.datasets import read_tables
from sbrtlung.logs import logged
from sbrtlung.reporting.tables import write_table
from sbrtlung.validation.quality import data_quality, read_findings

with logged(snakemake) as log:
    findings = read_findings(snakemake.input.findings)
    table = data_quality(findings, read_tables(snakemake.input.tables), snakemake.params.config)
    write_table(table, snakemake.output.csv, snakemake.output.md)
    log.info("%d findings summarised", len(findings))
