rule validation_report:
    """Every finding of the data contract, FATAL and WARN, in one readable report and one CSV.

    It always succeeds, so the report survives a failed gate for the data manager to act on.
    """
    input:
        raw=raw_exports,
        redcap_rows=redcap_rows,
        redcap_notes=redcap_notes,
    output:
        md=report(
            "results/validation/report.md",
            caption="../report/validation.rst",
            category="1. Data validation",
        ),
        csv="results/validation/report.csv",
    log:
        "logs/validation_report.log",
    benchmark:
        "benchmarks/validation_report.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(27),
    params:
        folder=RAW_DIR,
        config=GATE_CONFIG,
    script:
        "../scripts/validation_report.py"


rule validated_tables:
    """The gate: typed tables and the study period of the analysis only when no FATAL
    finding; otherwise a summary and exit 1."""
    input:
        raw=raw_exports,
        redcap_rows=redcap_rows,
        redcap_notes=redcap_notes,
        report="results/validation/report.csv",
    output:
        tables=VALIDATED,
        period=PERIOD,
    log:
        "logs/validated_tables.log",
    benchmark:
        "benchmarks/validated_tables.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(27),
    params:
        folder=RAW_DIR,
        config=GATE_CONFIG,
    script:
        "../scripts/validated_tables.py"
