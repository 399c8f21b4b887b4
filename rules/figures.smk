# Efficacy figures (SAP 5): a 300 dpi PNG for the report and a vector PDF for the journal,
# byte-reproducible from the same inputs and config. The curves are the efficacy stage's
# (results/efficacy/curves.parquet): the figures draw, they estimate nothing.


rule figure_local_failure:
    """Cumulative incidence of local failure per lesion with its bootstrap band, 1 - KM."""
    input:
        curves="results/efficacy/curves.parquet",
    output:
        png=report(
            "results/figures/local_failure.png",
            caption="../report/figure_local_failure.rst",
            category="3. Efficacy",
        ),
        pdf="results/figures/local_failure.pdf",
    log:
        "logs/figure_local_failure.log",
    benchmark:
        "benchmarks/figure_local_failure.tsv"
    conda:
        ENV
    params:
        horizon=HORIZON,
    script:
        "../scripts/figure_local_failure.py"


rule figure_pfs_os:
    """Kaplan-Meier PFS and OS with log(-log) bands, censoring ticks and patients at risk."""
    input:
        curves="results/efficacy/curves.parquet",
    output:
        png=report(
            "results/figures/pfs_os.png",
            caption="../report/figure_pfs_os.rst",
            category="3. Efficacy",
        ),
        pdf="results/figures/pfs_os.pdf",
    log:
        "logs/figure_pfs_os.log",
    benchmark:
        "benchmarks/figure_pfs_os.tsv"
    conda:
        ENV
    params:
        horizon=HORIZON,
    script:
        "../scripts/figure_pfs_os.py"


rule figure_failure_patterns:
    """Cumulative incidence of local, regional and distant failure on one axis."""
    input:
        curves="results/efficacy/curves.parquet",
    output:
        png=report(
            "results/figures/failure_patterns.png",
            caption="../report/figure_failure_patterns.rst",
            category="3. Efficacy",
        ),
        pdf="results/figures/failure_patterns.pdf",
    log:
        "logs/figure_failure_patterns.log",
    benchmark:
        "benchmarks/figure_failure_patterns.tsv"
    conda:
        ENV
    params:
        horizon=HORIZON,
    script:
        "../scripts/figure_failure_patterns.py"


rule figure_swimmer:
    """Follow-up and events of every safety-set patient, one bar each."""
    input:
        adsl="results/adam/adsl.parquet",
        adtte="results/adam/adtte.parquet",
    output:
        png=report(
            "results/figures/swimmer.png",
            caption="../report/figure_swimmer.rst",
            category="3. Efficacy",
        ),
        pdf="results/figures/swimmer.pdf",
    log:
        "logs/figure_swimmer.log",
    benchmark:
        "benchmarks/figure_swimmer.tsv"
    conda:
        ENV
    params:
        month_days=config["month_days"],
    script:
        "../scripts/figure_swimmer.py"
