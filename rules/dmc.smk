# The data monitoring committee's material at a data cut (SAP 1.2g, docs/monitoring.md):
# continuous toxicity monitoring and the DMC report. Not part of the default target.
from sbrtlung.analysis.design import planned_sample_size
from sbrtlung.monitoring.dmc import settings as dmc_settings

# N of the toxicity boundary: the planned sample size of the design (hypothesis, sample_size).
PLANNED_PATIENTS = planned_sample_size(config["hypothesis"], config["sample_size"])["patients"]


rule toxicity_monitoring:
    """The Pocock-type boundary for grade >= 3 TRAE, its operating characteristics, and where
    the trial stands at the data cut (evaluable patients in the order they became so)."""
    input:
        adsl="results/adam/adsl.parquet",
        adae="results/adam/adae.parquet",
    output:
        boundary="results/dmc/toxicity_boundary.csv",
        status="results/dmc/toxicity_status.json",
        sequence="results/dmc/toxicity_sequence.csv",
    log:
        "logs/toxicity_monitoring.log",
    benchmark:
        "benchmarks/toxicity_monitoring.tsv"
    conda:
        ENV
    params:
        monitoring=config["monitoring"],
        planned=PLANNED_PATIENTS,
    script:
        "../scripts/toxicity_monitoring.py"


rule figure_toxicity:
    """Patients with a grade >= 3 TRAE against evaluable patients, with the boundary."""
    input:
        boundary="results/dmc/toxicity_boundary.csv",
        sequence="results/dmc/toxicity_sequence.csv",
    output:
        png="results/dmc/toxicity.png",
        pdf="results/dmc/toxicity.pdf",
    log:
        "logs/figure_toxicity.log",
    benchmark:
        "benchmarks/figure_toxicity.tsv"
    conda:
        ENV
    params:
        monitoring=config["monitoring"],
    script:
        "../scripts/figure_toxicity.py"


rule dmc:
    """The DMC report at the data cut: an open part (aggregates only) and a closed part,
    each rendered like the paper to HTML, DOCX and PDF and stamped with the data cut."""
    input:
        validated=VALIDATED,
        period=PERIOD,
        adsl="results/adam/adsl.parquet",
        adae="results/adam/adae.parquet",
        findings="results/validation/report.csv",
        worst_grade="results/safety/worst_grade.csv",
        rates="results/efficacy/rates.csv",
        status="results/dmc/toxicity_status.json",
        figure="results/dmc/toxicity.png",
    output:
        expand(
            "results/dmc/report/_output/{part}.{ext}",
            part=["open", "closed"],
            ext=["html", "docx", "pdf"],
        ),
    log:
        "logs/dmc.log",
    benchmark:
        "benchmarks/dmc.tsv"
    conda:
        ENV
    params:
        settings=dmc_settings(config),
        planned=PLANNED_PATIENTS,
        folder=lambda wildcards, output: os.path.dirname(os.path.dirname(output[0])),
    script:
        "../scripts/dmc.py"
