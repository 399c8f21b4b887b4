rule simulate_trial:
    """The built-in synthetic multicenter trial, deterministic from the seed; with data_cut
    set, what its sites had entered by then (sbrtlung.synthetic.cut)."""
    output:
        expand(f"{SIMULATED_RAW}/{{table}}.csv", table=EXPORTS),
    log:
        "logs/simulate_trial.log",
    benchmark:
        "benchmarks/simulate_trial.tsv"
    conda:
        ENV
    resources:
        mem_mb=1000 + math.ceil(0.025 * config["simulation"]["n_patients"]),
    params:
        simulation=config["simulation"],
        seed=config["seed"],
        data_cut=config["data_cut"],
        corrected_before=config["previous_data_cut"],
    script:
        "../scripts/simulate_trial.py"


rule simulate_previous:
    """The synthetic trial as delivered at previous_data_cut, for the target delta."""
    output:
        expand("results/raw_previous/{table}.csv", table=EXPORTS),
    log:
        "logs/simulate_previous.log",
    benchmark:
        "benchmarks/simulate_previous.tsv"
    conda:
        ENV
    params:
        simulation=config["simulation"],
        seed=config["seed"],
        data_cut=config["previous_data_cut"],
    script:
        "../scripts/simulate_previous.py"
