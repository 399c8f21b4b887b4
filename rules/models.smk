# Prognostic models (SAP 4): nested cross-validation, one job per outer repeat, then a gather.
# Repeats are independent jobs (threads 1), so they spread over the cores or a cluster.


rule model_repeat:
    """One outer repeat: every model of every cohort on identical stratified splits."""
    input:
        **MODEL_ADAM,
    output:
        metrics="results/models/repeats/{repeat}/metrics.csv",
        coefficients="results/models/repeats/{repeat}/coefficients.csv",
        predictions="results/models/repeats/{repeat}/predictions.csv",
    log:
        "logs/models/repeat_{repeat}.log",
    benchmark:
        "benchmarks/model_repeat/{repeat}.tsv"
    wildcard_constraints:
        repeat=r"[1-9][0-9]*",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=memory(31),
        runtime=20,
    params:
        **MODEL_CV,
        year_days=config["year_days"],
        horizon_days=config["horizon_days"],
    script:
        "../scripts/model_repeat.py"


rule model_final:
    """Every model refitted on all patients of its cohort, penalty by CV on all of them."""
    input:
        **MODEL_ADAM,
    output:
        "results/models/coefficients.csv",
    log:
        "logs/models/final.log",
    benchmark:
        "benchmarks/model_final.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=memory(31),
        runtime=10,
    params:
        **MODEL_CV,
    script:
        "../scripts/model_final.py"


rule model_summary:
    """Gather the repeats: performance, paired gains, selection, calibration, key results."""
    input:
        metrics=model_repeats("metrics"),
        coefficients=model_repeats("coefficients"),
        predictions=model_repeats("predictions"),
    output:
        performance="results/models/performance.csv",
        gain="results/models/gain.csv",
        repeat_metrics="results/models/repeat_metrics.csv",
        selection="results/models/selection.csv",
        calibration="results/models/calibration.csv",
        key_results="results/models/key_results.json",
    log:
        "logs/models/summary.log",
    benchmark:
        "benchmarks/model_summary.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        horizon_days=config["horizon_days"],
    script:
        "../scripts/model_summary.py"


rule model_calibration_slope:
    """Calibration slope and observed/expected 2-year risk over the repeats (SAP 1.2f)."""
    input:
        model_repeats("predictions"),
    output:
        "results/models/calibration_slope.csv",
    log:
        "logs/models/calibration_slope.log",
    benchmark:
        "benchmarks/model_calibration_slope.tsv"
    conda:
        ENV
    params:
        horizon_days=config["horizon_days"],
    script:
        "../scripts/model_calibration_slope.py"


rule model_tables:
    """Model performance with paired gains, and the TRIPOD+AI items for the supplement."""
    input:
        **MODEL_ADAM,
        performance="results/models/performance.csv",
        gain="results/models/gain.csv",
        calibration="results/models/calibration.csv",
        calibration_slope="results/models/calibration_slope.csv",
    output:
        models_csv="results/tables/models.csv",
        models_md=report(
            "results/tables/models.md",
            caption="../report/model_table_performance.rst",
            category="6. Prognostic models",
        ),
        tripod_csv="results/tables/tripod.csv",
        tripod_md=report(
            "results/tables/tripod.md",
            caption="../report/model_table_tripod.rst",
            category="6. Prognostic models",
        ),
    log:
        "logs/models/tables.log",
    benchmark:
        "benchmarks/model_tables.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(31),
    params:
        **MODEL_CV,
        repeats=config["cv_repeats"],
        horizon=HORIZON,
    script:
        "../scripts/model_tables.py"


rule model_figure_performance:
    """Each metric of each model, cohorts side by side, with the spread over repeats."""
    input:
        performance="results/models/performance.csv",
        repeat_metrics="results/models/repeat_metrics.csv",
    output:
        png=report(
            "results/figures/model_performance.png",
            caption="../report/model_figure_performance.rst",
            category="6. Prognostic models",
        ),
        pdf="results/figures/model_performance.pdf",
    log:
        "logs/models/figure_performance.log",
    benchmark:
        "benchmarks/model_figure_performance.tsv"
    conda:
        ENV
    params:
        horizon=HORIZON,
        # for the caption
        folds=config["cv_folds"],
        repeats=config["cv_repeats"],
        landmark_days=config["landmark_days"],
    script:
        "../scripts/model_figure_performance.py"


rule model_figure_calibration:
    """Observed against out-of-fold predicted risk at the horizon by tertile, with the
    diagonal."""
    input:
        calibration="results/models/calibration.csv",
    output:
        png=report(
            "results/figures/model_calibration.png",
            caption="../report/model_figure_calibration.rst",
            category="6. Prognostic models",
        ),
        pdf="results/figures/model_calibration.pdf",
    log:
        "logs/models/figure_calibration.log",
    benchmark:
        "benchmarks/model_figure_calibration.tsv"
    conda:
        ENV
    params:
        horizon=HORIZON,
        # for the caption
        repeats=config["cv_repeats"],
        landmark_days=config["landmark_days"],
    script:
        "../scripts/model_figure_calibration.py"
