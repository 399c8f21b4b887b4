"""Rule table_data_quality: protocol deviations and findings by severity and rule."""

from sbrtlung.adam.datasets import read_tables
from sbrtlung.logs import logged
from sbrtlung.study import Horizon
from sbrtlung.tables import write_table
from sbrtlung.validation.quality import data_quality, read_findings

with logged(snakemake) as log:
    findings = read_findings(snakemake.input.findings)
    p = snakemake.params
    tables = read_tables(snakemake.input.tables)
    table = data_quality(findings, tables, p.quality, Horizon(**p.horizon))
    write_table(table, snakemake.output.csv, snakemake.output.md)
    log.info("%d findings summarised", len(findings))
