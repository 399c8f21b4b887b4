# ADaM-style datasets: calendar dates end here, study days from enrollment from now on.


rule adles:
    """One row per nodule: its course, delivered dose, BED10 and EQD2."""
    input:
        validated("patients", "lesions", "sbrt"),
    output:
        "results/adam/adles.parquet",
    log:
        "logs/adles.log",
    benchmark:
        "benchmarks/adles.tsv"
    conda:
        ENV
    script:
        "../scripts/adles.py"


rule adsl:
    """One row per enrolled patient: covariates, treatment days, populations, vital status."""
    input:
        tables=VALIDATED,
        adles="results/adam/adles.parquet",
        period=PERIOD,
    output:
        "results/adam/adsl.parquet",
    log:
        "logs/adsl.log",
    benchmark:
        "benchmarks/adsl.tsv"
    conda:
        ENV
    params:
        lost_after_days=config["lost_to_follow_up_days"],
    script:
        "../scripts/adsl.py"


rule adtte:
    """Every time-to-event endpoint, from its declared event, competing and censoring sources."""
    input:
        tables=validated("patients", "sbrt", "imaging", "progression", "follow_up"),
        adsl="results/adam/adsl.parquet",
        adles="results/adam/adles.parquet",
    output:
        "results/adam/adtte.parquet",
    log:
        "logs/adtte.log",
    benchmark:
        "benchmarks/adtte.tsv"
    conda:
        ENV
    params:
        month_days=config["month_days"],
    script:
        "../scripts/adtte.py"


rule adae:
    """Adverse events of the safety set with relatedness and acute/late phase."""
    input:
        tables=validated("patients", "adverse_events"),
        adsl="results/adam/adsl.parquet",
    output:
        "results/adam/adae.parquet",
    log:
        "logs/adae.log",
    benchmark:
        "benchmarks/adae.tsv"
    conda:
        ENV
    params:
        acute_days=config["acute_ae_days"],
    script:
        "../scripts/adae.py"


rule adlb:
    """Blood markers in canonical units, window flags, derived indices and log2 dynamics."""
    input:
        tables=validated("patients", "labs"),
        adsl="results/adam/adsl.parquet",
    output:
        "results/adam/adlb.parquet",
    log:
        "logs/adlb.log",
    benchmark:
        "benchmarks/adlb.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(310),
    params:
        windows=config["lab_windows"],
        drop_out_of_window=config["drop_out_of_window_labs"],
    script:
        "../scripts/adlb.py"
