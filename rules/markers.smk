# Blood markers (SAP 4, exploratory): change over the three timepoints, univariable Cox
# models of baseline values (safety set) and of post-treatment values and dynamics (landmark
# cohort), the REMARK profile, their tables and figures.


rule marker_summary:
    """Median (IQR) per marker and timepoint, Friedman and Wilcoxon tests, BH q over all."""
    input:
        adlb="results/adam/adlb.parquet",
    output:
        "results/markers/summary.csv",
    log:
        "logs/marker_summary.log",
    benchmark:
        "benchmarks/marker_summary.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(23),
    script:
        "../scripts/marker_summary.py"


rule marker_cox:
    """Univariable Cox models per SD of log2 marker for PFS, OS and LFPT, with PH tests."""
    input:
        adlb="results/adam/adlb.parquet",
        adsl="results/adam/adsl.parquet",
        adtte="results/adam/adtte.parquet",
    output:
        cox="results/markers/cox.csv",
        remark="results/markers/remark.csv",
        key_results="results/markers/key_results.json",
    log:
        "logs/marker_cox.log",
    benchmark:
        "benchmarks/marker_cox.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(31),
    params:
        landmark_days=config["landmark_days"],
    script:
        "../scripts/marker_cox.py"


rule marker_tables:
    """Markers by timepoint, marker hazard ratios and the REMARK profile as paper tables."""
    input:
        summary="results/markers/summary.csv",
        cox="results/markers/cox.csv",
        remark="results/markers/remark.csv",
    output:
        markers_csv="results/tables/markers.csv",
        markers_md=report(
            "results/tables/markers.md",
            caption="../report/marker_table_summary.rst",
            category="5. Blood markers",
        ),
        cox_csv="results/tables/marker_cox.csv",
        cox_md=report(
            "results/tables/marker_cox.md",
            caption="../report/marker_table_cox.rst",
            category="5. Blood markers",
        ),
        remark_csv="results/tables/remark.csv",
        remark_md=report(
            "results/tables/remark.md",
            caption="../report/marker_table_remark.rst",
            category="5. Blood markers",
        ),
    log:
        "logs/marker_tables.log",
    benchmark:
        "benchmarks/marker_tables.tsv"
    conda:
        ENV
    params:
        landmark_days=config["landmark_days"],  # quoted by the captions
    script:
        "../scripts/marker_tables.py"


rule figure_marker_trajectories:
    """Each patient's marker values over the three timepoints, over boxes per timepoint."""
    input:
        adlb="results/adam/adlb.parquet",
    output:
        png=report(
            "results/figures/marker_trajectories.png",
            caption="../report/marker_figure_trajectories.rst",
            category="5. Blood markers",
        ),
        pdf="results/figures/marker_trajectories.pdf",
    log:
        "logs/figure_marker_trajectories.log",
    benchmark:
        "benchmarks/figure_marker_trajectories.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(21),
    script:
        "../scripts/figure_marker_trajectories.py"


rule figure_marker_forest:
    """Forest plot of the marker hazard ratios per SD by endpoint and cohort."""
    input:
        cox="results/markers/cox.csv",
    output:
        png=report(
            "results/figures/marker_forest.png",
            caption="../report/marker_figure_forest.rst",
            category="5. Blood markers",
        ),
        pdf="results/figures/marker_forest.pdf",
    log:
        "logs/figure_marker_forest.log",
    benchmark:
        "benchmarks/figure_marker_forest.tsv"
    conda:
        ENV
    params:
        landmark_days=config["landmark_days"],
    script:
        "../scripts/figure_marker_forest.py"
