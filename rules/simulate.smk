rule simulate_trial:
    """The built-in synthetic multicenter trial, deterministic from the seed."""
    output:
        expand(f"{SIMULATED_RAW}/{{table}}.csv", table=EXPORTS),
    params:
        simulation=config["simulation"],
        seed=config["seed"],
    log:
        "logs/simulate_trial.log",
    conda:
        ENV
    script:
        "../scripts/simulate_trial.py"
