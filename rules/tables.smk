# Descriptive tables of the cohort: each a CSV (one row per statistic) and its Markdown.


rule table_baseline:
    """Baseline patient characteristics of the safety set."""
    input:
        "results/adam/adsl.parquet",
    output:
        csv="results/tables/baseline.csv",
        md=report(
            "results/tables/baseline.md",
            caption="../report/table_baseline.rst",
            category="2. Cohort",
        ),
    log:
        "logs/table_baseline.log",
    benchmark:
        "benchmarks/table_baseline.tsv"
    conda:
        ENV
    script:
        "../scripts/table_baseline.py"


rule table_lesions:
    """Characteristics of the treated nodules."""
    input:
        "results/adam/adles.parquet",
    output:
        csv="results/tables/lesions.csv",
        md=report(
            "results/tables/lesions.md",
            caption="../report/table_lesions.rst",
            category="2. Cohort",
        ),
    log:
        "logs/table_lesions.log",
    benchmark:
        "benchmarks/table_lesions.tsv"
    conda:
        ENV
    script:
        "../scripts/table_lesions.py"


rule table_sbrt:
    """SBRT regimens, doses (BED10, EQD2), technique, completion and duration per nodule."""
    input:
        "results/adam/adles.parquet",
    output:
        csv="results/tables/sbrt.csv",
        md=report(
            "results/tables/sbrt.md",
            caption="../report/table_sbrt.rst",
            category="2. Cohort",
        ),
    log:
        "logs/table_sbrt.log",
    benchmark:
        "benchmarks/table_sbrt.tsv"
    conda:
        ENV
    script:
        "../scripts/table_sbrt.py"


rule table_sites:
    """Screening, screen failures by reason, enrollment and analysis sets per site."""
    input:
        screening=validated("screening")[0],
        adsl="results/adam/adsl.parquet",
    output:
        csv="results/tables/sites.csv",
        md=report(
            "results/tables/sites.md",
            caption="../report/table_sites.rst",
            category="2. Cohort",
        ),
    log:
        "logs/table_sites.log",
    benchmark:
        "benchmarks/table_sites.tsv"
    conda:
        ENV
    script:
        "../scripts/table_sites.py"


rule table_data_quality:
    """Protocol deviations and data-quality findings by severity and rule.

    The validated tables are read to attribute each finding to its patient.
    """
    input:
        findings="results/validation/report.csv",
        tables=VALIDATED,
    output:
        csv="results/tables/data_quality.csv",
        md=report(
            "results/tables/data_quality.md",
            caption="../report/table_data_quality.rst",
            category="2. Cohort",
        ),
    log:
        "logs/table_data_quality.log",
    benchmark:
        "benchmarks/table_data_quality.tsv"
    conda:
        ENV
    params:
        quality=config["quality"],
        horizon=HORIZON,
    script:
        "../scripts/table_data_quality.py"
