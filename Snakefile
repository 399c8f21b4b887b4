# Raw case-report-form exports -> validation gate -> ADaM-style datasets -> analyses -> paper.
# One rules/*.smk per stage; every rule runs scripts/<rule>.py, a thin script that reads the
# rule's inputs, makes one library call and writes what it returns (docs/architecture.md).
import sys

from snakemake.utils import min_version, validate

from sbrtlung import console
from sbrtlung.config import iso_dates

min_version("9.0")


configfile: "config/config.yaml"


validate(iso_dates(config), "schemas/config.schema.yaml")


include: "rules/common.smk"
include: "rules/simulate.smk"
include: "rules/redcap.smk"
include: "rules/validate.smk"
include: "rules/derive.smk"
include: "rules/efficacy.smk"
include: "rules/safety.smk"
include: "rules/supplementary_analyses.smk"
include: "rules/tables.smk"
include: "rules/figures.smk"
include: "rules/key_results.smk"
include: "rules/provenance.smk"
include: "rules/flow.smk"
include: "rules/markers.smk"
include: "rules/models.smk"
include: "rules/simulation_study.smk"
include: "rules/manuscript.smk"
include: "rules/share.smk"
include: "rules/audit.smk"
include: "rules/dmc.smk"
include: "rules/delta.smk"


# The front page of `snakemake --report report.html`: the study and the report's categories.
report: "report/workflow.rst"


# The end of a run: where the paper is, or which job's log explains the failure.
onsuccess:
    message = console.finished(MANUSCRIPT.outputs(), "results/key_results.json")
    if message:
        print(message, file=sys.stderr)


onerror:
    print(console.failure(log), file=sys.stderr)


rule all:
    default_target: True
    input:
        rules.manuscript.output,
        rules.manuscript_data_supplement.output,
        rules.audit.output,
        "results/validation/report.md",
        "results/key_results.json",
        "results/provenance.json",
        "results/models/coefficients.csv",
        "results/tables/efficacy.md",
        "results/tables/failure_pattern.md",
        "results/tables/trae.md",
        "results/tables/ae_supplement.md",
        expand(
            "results/tables/{table}.md",
            table=["trae_by_grade", "sensitivity", "site_lcr", "subgroups"],
        ),
        expand(
            "results/figures/forest_{analysis}.{ext}",
            analysis=["sensitivity", "sites", "subgroups"],
            ext=["png", "pdf"],
        ),
        expand(
            "results/tables/{table}.{ext}",
            table=[
                "baseline",
                "lesions",
                "sbrt",
                "sites",
                "data_quality",
                "markers",
                "marker_cox",
                "remark",
                "models",
                "tripod",
            ],
            ext=["csv", "md"],
        ),
        expand(
            "results/figures/{name}.{ext}",
            name=[
                "consort",
                "local_failure",
                "pfs_os",
                "failure_patterns",
                "swimmer",
                "marker_trajectories",
                "marker_forest",
                "model_performance",
                "model_calibration",
            ],
            ext=["png", "pdf"],
        ),
