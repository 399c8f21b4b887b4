rule simulate_trial:
    """The built-in synthetic multicenter trial, deterministic from the seed."""
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
    script:
        "../scripts/simulate_trial.py"
