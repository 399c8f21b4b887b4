rule key_results:
    """Every number the manuscript quotes, machine-readable under stable keys."""
    input:
        screening=validated("screening"),
        adsl="results/adam/adsl.parquet",
        adles="results/adam/adles.parquet",
        rates="results/efficacy/rates.csv",
        medians="results/efficacy/medians.csv",
        primary="results/efficacy/primary.json",
        pattern="results/efficacy/failure_pattern.csv",
        safety="results/safety/summary.json",
        trae_by_grade="results/safety/trae_by_grade.csv",
        sensitivity="results/efficacy/sensitivity.csv",
        sites="results/efficacy/sites.csv",
        site_heterogeneity="results/efficacy/site_heterogeneity.json",
        subgroups="results/efficacy/subgroups.csv",
        flow="results/flow.json",
        markers="results/markers/key_results.json",
        models="results/models/key_results.json",
        simulation_study="results/simulation_study/key_results.json",
    output:
        "results/key_results.json",
    log:
        "logs/key_results.log",
    benchmark:
        "benchmarks/key_results.tsv"
    conda:
        ENV
    params:
        settings=KEY_RESULTS_CONFIG,
    script:
        "../scripts/key_results.py"


rule checklists:
    """The automatable items of CONSORT, REMARK and TRIPOD+AI, answered from the results."""
    input:
        "results/key_results.json",
    output:
        report(
            "results/tables/checklists.md",
            caption="../report/table_checklists.rst",
            category="8. Manuscript",
        ),
    log:
        "logs/checklists.log",
    benchmark:
        "benchmarks/checklists.tsv"
    conda:
        ENV
    script:
        "../scripts/checklists.py"
