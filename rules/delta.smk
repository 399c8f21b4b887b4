# What changed since the previous data cut (SAP 1.2g, docs/monitoring.md): target `delta`.
# previous_raw_dir (same format as raw_dir) and previous_data_cut name the previous delivery.
from sbrtlung.monitoring.previous import TARGETS as PREVIOUS_TARGETS, delivered_files

PREVIOUS = "results/delta/previous"
if config["previous_raw_dir"]:
    for problem in (
        raw_dir_problem(config["previous_raw_dir"]),
        config["previous_data_cut"] is None and "previous_raw_dir needs previous_data_cut",
        DATA_CUT
        and config["previous_data_cut"]
        and config["previous_data_cut"] > DATA_CUT
        and (
            f"previous_data_cut {config['previous_data_cut']} is after the data cut "
            f"{DATA_CUT}: the previous delivery must be the earlier one"
        ),
    ):
        if problem:
            sys.exit(f"config error: {problem}")
# Every file of the previous delivery's folder, so that a change reruns the delta.
PREVIOUS_FILES = delivered_files(config["previous_raw_dir"])


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
        folder=lambda wildcards, output: output[0].split("/results/")[0],
        snakefile=workflow.main_snakefile,
    script:
        "../scripts/delta_previous.py"


rule delta:
    """Row by row and number by number, what changed since the previous data cut."""
    input:
        current=VALIDATED,
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
        data_cut=DATA_CUT,
    script:
        "../scripts/delta.py"
