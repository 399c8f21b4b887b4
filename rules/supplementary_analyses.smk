# The analyses of SAP amendment 1.2: TRAE by worst grade (1.2b), the sensitivity analyses of
# the primary endpoint on their own LF derivations (1.2c), sites (1.2d) and subgroups (1.2e),
# with their tables and forest figures.


rule trae_by_grade:
    """Patients by worst TRAE grade (1-5, any, >=3) with Clopper-Pearson 95% CIs."""
    input:
        adae="results/adam/adae.parquet",
        adsl="results/adam/adsl.parquet",
    output:
        "results/safety/trae_by_grade.csv",
    log:
        "logs/trae_by_grade.log",
    benchmark:
        "benchmarks/trae_by_grade.tsv"
    conda:
        ENV
    script:
        "../scripts/trae_by_grade.py"


rule adttesa:
    """Local failure per nodule as each sensitivity analysis derives it, declared as data."""
    input:
        tables=validated("patients", "imaging"),
        adsl="results/adam/adsl.parquet",
        adles="results/adam/adles.parquet",
    output:
        "results/adam/adttesa.parquet",
    log:
        "logs/adttesa.log",
    benchmark:
        "benchmarks/adttesa.tsv"
    conda:
        ENV
    script:
        "../scripts/adttesa.py"


rule sensitivity:
    """The 2-year LCR of every sensitivity analysis with its IJ CI and stated decision."""
    input:
        "results/adam/adttesa.parquet",
    output:
        "results/efficacy/sensitivity.csv",
    log:
        "logs/sensitivity.log",
    benchmark:
        "benchmarks/sensitivity.tsv"
    conda:
        ENV
    params:
        horizon=config["horizon_days"],
        lcr_null=config["hypothesis"]["lcr_null"],
        alpha_one_sided=config["hypothesis"]["alpha_one_sided"],
    script:
        "../scripts/sensitivity.py"


rule site_lcr:
    """The 2-year LCR per site and pooled; DerSimonian-Laird I^2 and tau^2 over the sites."""
    input:
        adtte="results/adam/adtte.parquet",
        adsl="results/adam/adsl.parquet",
    output:
        table="results/efficacy/sites.csv",
        heterogeneity="results/efficacy/site_heterogeneity.json",
    log:
        "logs/site_lcr.log",
    benchmark:
        "benchmarks/site_lcr.tsv"
    conda:
        ENV
    params:
        horizon=config["horizon_days"],
    script:
        "../scripts/site_lcr.py"


rule subgroups:
    """The 2-year LCR per prespecified subgroup and cause-specific Cox hazard ratios."""
    input:
        adtte="results/adam/adtte.parquet",
        adsl="results/adam/adsl.parquet",
        adles="results/adam/adles.parquet",
    output:
        "results/efficacy/subgroups.csv",
    log:
        "logs/subgroups.log",
    benchmark:
        "benchmarks/subgroups.tsv"
    conda:
        ENV
    params:
        horizon=config["horizon_days"],
    script:
        "../scripts/subgroups.py"


rule supplementary_tables:
    """The paper's tables of TRAE by grade, sensitivity analyses, sites and subgroups."""
    input:
        trae_by_grade="results/safety/trae_by_grade.csv",
        adsl="results/adam/adsl.parquet",
        sensitivity="results/efficacy/sensitivity.csv",
        sites="results/efficacy/sites.csv",
        subgroups="results/efficacy/subgroups.csv",
    output:
        trae_by_grade=report(
            "results/tables/trae_by_grade.md",
            caption="../report/table_trae_by_grade.rst",
            category="4. Safety",
        ),
        sensitivity=report(
            "results/tables/sensitivity.md",
            caption="../report/table_sensitivity.rst",
            category="3. Efficacy",
        ),
        site_lcr=report(
            "results/tables/site_lcr.md",
            caption="../report/table_site_lcr.rst",
            category="3. Efficacy",
        ),
        subgroups=report(
            "results/tables/subgroups.md",
            caption="../report/table_subgroups.rst",
            category="3. Efficacy",
        ),
    log:
        "logs/supplementary_tables.log",
    benchmark:
        "benchmarks/supplementary_tables.tsv"
    conda:
        ENV
    script:
        "../scripts/supplementary_tables.py"


rule figure_forest:
    """Forest plot of the sensitivity analyses, the sites or the subgroups."""
    input:
        "results/efficacy/{analysis}.csv",
    output:
        png=report(
            "results/figures/forest_{analysis}.png",
            caption="../report/figure_forest.rst",
            category="3. Efficacy",
        ),
        pdf="results/figures/forest_{analysis}.pdf",
    log:
        "logs/figure_forest/{analysis}.log",
    benchmark:
        "benchmarks/figure_forest/{analysis}.tsv"
    wildcard_constraints:
        analysis="sensitivity|sites|subgroups",
    conda:
        ENV
    params:
        lcr_null=config["hypothesis"]["lcr_null"],
        horizon=HORIZON,
    script:
        "../scripts/figure_forest.py"
