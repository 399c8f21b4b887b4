rule consort:
    """Participant flow counted from the screening log and ADaM, and its CONSORT diagram."""
    input:
        screening=validated("screening"),
        adsl="results/adam/adsl.parquet",
        adles="results/adam/adles.parquet",
    output:
        counts="results/flow.json",
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
