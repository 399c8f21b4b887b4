# The audit page of the paper (manuscript/_output/audit.html) and results/audit.csv: every
# number, table and figure of the paper traced, from Snakemake's own records of the jobs
# (.snakemake/metadata) and the workflow's rules, to its rule, code, inputs and raw exports.
from sbrtlung.manuscript.records import rule_structure


rule audit:
    """Every generated number, table and figure of the paper with the rule, script, log,
    benchmark, params and inputs that made it, back to the raw exports and their SHA-256."""
    input:
        variables="manuscript/_variables.yml",
        key_results="results/key_results.json",
        provenance="results/provenance.json",
        sources=[str(p) for p in MANUSCRIPT.sources()],
        raw=delivered,
        # After the render: Quarto may clear its output folder, where the page goes.
        paper=rules.manuscript.output,
    output:
        html="manuscript/_output/audit.html",
        csv="results/audit.csv",
    log:
        "logs/audit.log",
    benchmark:
        "benchmarks/audit.tsv"
    conda:
        ENV
    params:
        project=lambda wildcards, input: os.path.dirname(input.variables),
        config=config,
        records=".snakemake/metadata",
        # Evaluated when the DAG is built, when every rule of the workflow exists.
        rules=lambda wildcards: rule_structure(workflow),
        raw=lambda wildcards: sorted({*raw_exports(wildcards), *delivered(wildcards)}),
    script:
        "../scripts/audit.py"
