rule provenance:
    """Input hashes and row counts, config and its hash, package versions, git commit.

    It waits for the gate: provenance describes an analysis, and a refused delivery has none.
    """
    input:
        raw=raw_exports,
        gate=VALIDATED,
    output:
        json="results/provenance.json",
        table=report(
            "results/tables/provenance.md",
            caption="../report/table_provenance.rst",
            category="7. Provenance",
        ),
    log:
        "logs/provenance.log",
    benchmark:
        "benchmarks/provenance.tsv"
    conda:
        ENV
    params:
        config=config,
        git=GIT,
    script:
        "../scripts/provenance.py"
