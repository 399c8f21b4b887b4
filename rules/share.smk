# The individual-patient-data package (docs/sharing.md): `snakemake --cores 2 share`.
# Not part of the default target: a build without it writes what it wrote before.

from sbrtlung.config import section
from sbrtlung.share.package import DATASETS as SHARED


rule share:
    """ADaM as SAS transport v5 and Dataset-JSON 1.1 with define.xml, de-identified by rule,
    with a README, checksums and one zip."""
    input:
        adam=expand("results/adam/{name}.parquet", name=SHARED),
        provenance="results/provenance.json",
    output:
        expand("results/share/xpt/{name}.xpt", name=SHARED),
        expand("results/share/json/{name}.json", name=SHARED),
        "results/share/define.xml",
        "results/share/define.html",
        "results/share/README.md",
        "results/share/provenance.json",
        "results/share/SHA256SUMS",
        "results/share/package.zip",
    log:
        "logs/share.log",
    benchmark:
        "benchmarks/share.tsv"
    conda:
        ENV
    params:
        settings=section(config, "share"),
        seed=config["seed"],
    script:
        "../scripts/share.py"
