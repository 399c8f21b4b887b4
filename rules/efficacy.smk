rule efficacy:
    """Named rates at one year and at the horizon with CIs, medians, the primary decision by
    both rules, failure pattern."""
    input:
        adtte="results/adam/adtte.parquet",
        adsl="results/adam/adsl.parquet",
    output:
        rates="results/efficacy/rates.csv",
        medians="results/efficacy/medians.csv",
        primary="results/efficacy/primary.json",
        pattern="results/efficacy/failure_pattern.csv",
    log:
        "logs/efficacy.log",
    benchmark:
        "benchmarks/efficacy.tsv"
    conda:
        ENV
    resources:
        mem_mb=4000,
    params:
        horizon=HORIZON,
        reps=config["bootstrap_reps"],
        seed=config["seed"],
        lcr_null=config["hypothesis"]["lcr_null"],
        alpha_one_sided=config["hypothesis"]["alpha_one_sided"],
    script:
        "../scripts/efficacy.py"


rule efficacy_curves:
    """Every curve the efficacy figures draw, estimated once: steps, CI bands, censoring
    marks, values at the horizon (the efficacy table's, same replicates and seed) and
    numbers at risk."""
    input:
        adtte="results/adam/adtte.parquet",
    output:
        "results/efficacy/curves.parquet",
    log:
        "logs/efficacy_curves.log",
    benchmark:
        "benchmarks/efficacy_curves.tsv"
    conda:
        ENV
    resources:
        mem_mb=2000,
    params:
        horizon=HORIZON,
        reps=config["bootstrap_reps"],
        seed=config["seed"],
    script:
        "../scripts/efficacy_curves.py"


rule efficacy_tables:
    """The efficacy and pattern-of-failure tables of the manuscript."""
    input:
        rates="results/efficacy/rates.csv",
        medians="results/efficacy/medians.csv",
        pattern="results/efficacy/failure_pattern.csv",
    output:
        efficacy_csv="results/tables/efficacy.csv",
        efficacy_md=report(
            "results/tables/efficacy.md",
            caption="../report/table_efficacy.rst",
            category="3. Efficacy",
        ),
        pattern_csv="results/tables/failure_pattern.csv",
        pattern_md=report(
            "results/tables/failure_pattern.md",
            caption="../report/table_failure_pattern.rst",
            category="3. Efficacy",
        ),
    log:
        "logs/efficacy_tables.log",
    benchmark:
        "benchmarks/efficacy_tables.tsv"
    conda:
        ENV
    params:
        horizon=HORIZON,
    script:
        "../scripts/efficacy_tables.py"
