rule flow:
    """Participant flow counted from the screening log and ADaM."""
    input:
        screening=validated("screening"),
        adsl="results/adam/adsl.parquet",
        adles="results/adam/adles.parquet",
    output:
        "results/flow.json",
    log:
        "logs/flow.log",
    benchmark:
        "benchmarks/flow.tsv"
    conda:
        ENV
    script:
        "../scripts/flow.py"


rule consort:
    """The CONSORT diagram of the participant flow."""
    input:
        "results/flow.json",
    output:
        png=report(
            "results/figures/consort.png",
            caption="../report/figure_consort.rst",
            category="2. Cohort",
        ),
        pdf="results/figures/consort.pdf",
    log:
        "logs/consort.log",
    benchmark:
        "benchmarks/consort.tsv"
    conda:
        ENV
    script:
        "../scripts/consort.py"
