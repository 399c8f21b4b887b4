rule provenance:
    """Input hashes and row counts (the nine exports, or REDCap's records export and data
    dictionary), config and its hash, package versions, git commit.

    It waits for the gate: provenance describes an analysis, and a refused delivery has none.
    """
    input:
        raw=delivered,
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
