rule safety:
    """AE incidences with exact CIs, worst-grade tables (TRAE and all-cause, acute and late)."""
    input:
        adae="results/adam/adae.parquet",
        adsl="results/adam/adsl.parquet",
    output:
        summary="results/safety/summary.json",
        worst_grade="results/safety/worst_grade.csv",
        grade5="results/safety/grade5.csv",
    log:
        "logs/safety.log",
    benchmark:
        "benchmarks/safety.tsv"
    conda:
        ENV
    script:
        "../scripts/safety.py"


rule safety_tables:
    """Worst-grade tables (TRAE and all-cause; all, acute, late) and the grade 5 listing."""
    input:
        worst_grade="results/safety/worst_grade.csv",
        grade5="results/safety/grade5.csv",
    output:
        trae=report(
            "results/tables/trae.md",
            caption="../report/table_trae.rst",
            category="4. Safety",
        ),
        supplement=report(
            "results/tables/ae_supplement.md",
            caption="../report/table_ae_supplement.rst",
            category="4. Safety",
        ),
    log:
        "logs/safety_tables.log",
    benchmark:
        "benchmarks/safety_tables.tsv"
    conda:
        ENV
    script:
        "../scripts/safety_tables.py"
