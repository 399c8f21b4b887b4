# What changed since the previous data cut (SAP 1.2g, docs/monitoring.md): target `delta`.
# previous_raw_dir (same format as raw_dir) and previous_data_cut name the previous delivery.
from sbrtlung.monitoring.previous import TARGETS as PREVIOUS_TARGETS, delivered_files

PREVIOUS = "results/delta/previous"
# The built-in synthetic trial (raw_dir empty) is delivered again at previous_data_cut
# (rule simulate_previous) when previous_raw_dir is empty.
SIMULATED_PREVIOUS = "results/raw_previous"
PREVIOUS_RAW = config["previous_raw_dir"] or (
    SIMULATED_PREVIOUS if not config["raw_dir"] and config["previous_data_cut"] else ""
)
if PREVIOUS_RAW:
    for problem in (
        config["previous_raw_dir"] and raw_dir_problem(config["previous_raw_dir"]),
        config["previous_data_cut"] is None and "previous_raw_dir needs previous_data_cut",
        config["data_cut"]
        and config["previous_data_cut"]
        and config["previous_data_cut"] > config["data_cut"]
        and (
            f"previous_data_cut {config['previous_data_cut']} is after the data cut "
            f"{config['data_cut']}: the previous delivery must be the earlier one"
        ),
    ):
        if problem:
            sys.exit(f"config error: {problem}")
# Every file of the previous delivery's folder, so that a change reruns the delta.
PREVIOUS_FILES = (
    delivered_files(config["previous_raw_dir"])
    if config["previous_raw_dir"]
    else expand(f"{SIMULATED_PREVIOUS}/{{table}}.csv", table=EXPORTS) if PREVIOUS_RAW else []
)


rule delta_previous:
    """The previous delivery through the same workflow and configuration, in its own results
    folder, as far as its key results (one line if it breaks the data contract)."""
    input:
        PREVIOUS_FILES,
    output:
        [f"{PREVIOUS}/{target}" for target in PREVIOUS_TARGETS],
    log:
        "logs/delta_previous.log",
    benchmark:
        "benchmarks/delta_previous.tsv"
    conda:
        ENV
    threads: workflow.cores
    params:
        config=config,
        raw_dir=PREVIOUS_RAW,
        folder=lambda wildcards, output: output[0].split("/results/")[0],
        snakefile=os.path.relpath(workflow.main_snakefile),
    script:
        "../scripts/delta_previous.py"


rule delta:
    """Row by row and number by number, what changed since the previous data cut."""
    input:
        current=VALIDATED,
        period=PERIOD,
        previous=[f"{PREVIOUS}/results/validated/{t}.parquet" for t in EXPORTS],
        key_results="results/key_results.json",
        previous_key_results=f"{PREVIOUS}/results/key_results.json",
    output:
        changes="results/delta/changes.csv",
        key_results="results/delta/key_results.csv",
        md="results/delta/report.md",
        html="results/delta/report.html",
    log:
        "logs/delta.log",
    benchmark:
        "benchmarks/delta.tsv"
    conda:
        ENV
    params:
        previous_cut=config["previous_data_cut"],
    script:
        "../scripts/delta.py"
