# Simulation study of the design (docs/simulation_study.md). Its table and figure are in the
# paper's supplement, so the default target builds it; `snakemake --cores N simulation_study`
# builds it alone. One job per batch of replicates, then a gather.
#
# The study depends on the configuration alone, and like every result it waits for the gate.
# Its jobs take the gate's tables as ancient() inputs, so a new export does not rerun them,
# and take the study's settings from results/design/simulation_study.json, written by a job
# with no input. Snakemake does not look at the params of a job whose upstream job reruns
# (here the gate) when its inputs from that job are ancient, so params of the batches would
# go unnoticed whenever the gate reruns too; a changed design file is always noticed.

SIMSTUDY = config["simulation_study"]
SIMSTUDY_BATCHES = range(1, SIMSTUDY["batches"] + 1)
# The two-sided level of the decision interval, 1 - 2 alpha, in percent (for the captions).
DECISION_PERCENT = f'{100 * (1 - 2 * config["hypothesis"]["alpha_one_sided"]):g}'
# The config the study depends on; no other key (and no raw export) reruns it. The analysis's
# bootstrap_reps only when the study takes its replicates from it (its own is null).
SIMSTUDY_CONFIG = {
    key: config[key]
    for key in (
        "seed",
        "horizon_days",
        "bootstrap_reps",
        "hypothesis",
        "sample_size",
        "simulation",
        "simulation_study",
    )
    if key != "bootstrap_reps" or SIMSTUDY["bootstrap_reps"] is None
}
# The replicates of each simulated trial's bootstrap, for the caption.
SIMSTUDY_BOOTSTRAP_REPS = SIMSTUDY["bootstrap_reps"] or config["bootstrap_reps"]


rule simulation_study:
    """Target: type I error, power, bias, empirical SE and coverage, with Monte Carlo SEs."""
    input:
        "results/simulation_study/summary.csv",
        "results/simulation_study/key_results.json",
        expand("results/tables/simulation_study.{ext}", ext=["csv", "md"]),
        expand("results/figures/simulation_study.{ext}", ext=["png", "pdf"]),


rule simulation_study_design:
    """What the study simulates, from the configuration alone: planned trial size, scenarios,
    replicates, seeds, and the configuration every job of the study reads."""
    output:
        "results/design/simulation_study.json",
    log:
        "logs/simulation_study/design.log",
    benchmark:
        "benchmarks/simulation_study_design.tsv"
    conda:
        ENV
    params:
        config=SIMSTUDY_CONFIG,
    script:
        "../scripts/simulation_study_design.py"


rule simulation_study_batch:
    """One block of replicates of both scenarios, each trial analysed as the workflow does.

    It waits for the gate, so a refused delivery leaves no result behind, but reads no
    export: the gate's tables are ancient, new exports do not rerun it.
    """
    input:
        design="results/design/simulation_study.json",
        gate=ancient(VALIDATED),
    output:
        "results/simulation_study/batches/{batch}.csv",
    log:
        "logs/simulation_study/batch_{batch}.log",
    benchmark:
        "benchmarks/simulation_study_batch/{batch}.tsv"
    wildcard_constraints:
        batch=r"[1-9][0-9]*",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    script:
        "../scripts/simulation_study_batch.py"


rule simulation_study_summary:
    """Gather the batches: performance measures per scenario and the study's key results."""
    input:
        design="results/design/simulation_study.json",
        batches=expand("results/simulation_study/batches/{batch}.csv", batch=SIMSTUDY_BATCHES),
    output:
        summary="results/simulation_study/summary.csv",
        key_results="results/simulation_study/key_results.json",
    log:
        "logs/simulation_study/summary.log",
    benchmark:
        "benchmarks/simulation_study_summary.tsv"
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/simulation_study_summary.py"


rule simulation_study_table:
    """Operating characteristics of the design, one column per scenario."""
    input:
        "results/simulation_study/summary.csv",
    output:
        csv="results/tables/simulation_study.csv",
        md=report(
            "results/tables/simulation_study.md",
            caption="../report/simstudy_table.rst",
            category="9. Simulation study",
        ),
    log:
        "logs/simulation_study/table.log",
    benchmark:
        "benchmarks/simulation_study_table.tsv"
    conda:
        ENV
    params:
        replicates=SIMSTUDY["replicates"],
        bootstrap_reps=SIMSTUDY_BOOTSTRAP_REPS,  # for the caption
        decision_percent=DECISION_PERCENT,
    script:
        "../scripts/simulation_study_table.py"


rule simulation_study_figure:
    """Rejection rates against alpha and power, bias and coverage with Monte Carlo intervals."""
    input:
        "results/simulation_study/summary.csv",
    output:
        png=report(
            "results/figures/simulation_study.png",
            caption="../report/simstudy_figure.rst",
            category="9. Simulation study",
        ),
        pdf="results/figures/simulation_study.pdf",
    log:
        "logs/simulation_study/figure.log",
    benchmark:
        "benchmarks/simulation_study_figure.tsv"
    conda:
        ENV
    params:
        replicates=SIMSTUDY["replicates"],
        decision_percent=DECISION_PERCENT,
    script:
        "../scripts/simulation_study_figure.py"
