# The paper: key_results.json -> manuscript/_variables.yml -> manuscript/_output/ (HTML, DOCX,
# PDF of every document of manuscript/_quarto.yml), with Quarto or the pandoc + typst fallback.
# The documents show tables and figures from manuscript/_results/, copies of results/: Quarto
# compiles the PDF with the project folder as typst's root, outside of which nothing is read.
import os

from sbrtlung.manuscript.render import load_project
from sbrtlung.manuscript.sections import PARTS as MANUSCRIPT_PARTS

MANUSCRIPT = load_project("manuscript")


rule manuscript_variables:
    """Every number the paper quotes, formatted as printed, for Quarto's {{< var >}}, and the
    numbers of every document's figures and tables (the article names the supplement's)."""
    input:
        key_results="results/key_results.json",
        sources=[str(p) for p in MANUSCRIPT.sources()],
    output:
        "manuscript/_variables.yml",
    log:
        "logs/manuscript_variables.log",
    benchmark:
        "benchmarks/manuscript_variables.tsv"
    conda:
        ENV
    params:
        config=config,
        project=lambda wildcards, output: os.path.dirname(output[0]),
    script:
        "../scripts/manuscript_variables.py"


rule manuscript_sections:
    """The parts of the paper that depend on whether the blood markers could be analysed:
    their full text, or the text saying the analyses were skipped (ADLB has no row)."""
    input:
        adlb="results/adam/adlb.parquet",
    output:
        expand("manuscript/_results/sections/{part}.qmd", part=MANUSCRIPT_PARTS),
    log:
        "logs/manuscript_sections.log",
    benchmark:
        "benchmarks/manuscript_sections.tsv"
    conda:
        ENV
    script:
        "../scripts/manuscript_sections.py"


rule manuscript_result:
    """A table or figure of results/ copied into the Quarto project, as the paper shows it."""
    input:
        "results/{kind}/{name}",
    output:
        "manuscript/_results/{kind}/{name}",
    log:
        "logs/manuscript_result/{kind}/{name}.log",
    benchmark:
        "benchmarks/manuscript_result/{kind}/{name}.tsv"
    wildcard_constraints:
        kind="tables|figures",
        name=r"[^/]+",
    conda:
        ENV
    shell:
        "cp {input} {output} 2> {log}"


rule manuscript:
    """The article and its supplement in HTML (self-contained), DOCX and PDF.

    Inputs are the .qmd sources and every file they include or show (tables, figures,
    bibliography), so a changed result re-renders the paper.
    """
    input:
        variables="manuscript/_variables.yml",
        sources=[str(p) for p in MANUSCRIPT.sources()],
    output:
        **{
            f"{path.stem}_{path.suffix[1:]}": (
                report(str(path), caption="../report/manuscript.rst", category="8. Manuscript")
                if path.suffix in (".html", ".pdf")
                else str(path)
            )
            for path in MANUSCRIPT.outputs()
        },
    log:
        "logs/manuscript.log",
    benchmark:
        "benchmarks/manuscript.tsv"
    conda:
        ENV
    params:
        project=lambda wildcards, input: os.path.dirname(input.variables),
        engine="auto",
    script:
        "../scripts/manuscript.py"


rule manuscript_data_supplement:
    """Every marker Cox model (285 rows) beside the paper: the printed table holds the baseline
    models only, and the captions name this file."""
    input:
        "results/tables/marker_cox.csv",
    output:
        "manuscript/_output/marker_cox.csv",
    log:
        "logs/manuscript_data_supplement.log",
    benchmark:
        "benchmarks/manuscript_data_supplement.tsv"
    conda:
        ENV
    shell:
        "cp {input} {output} 2> {log}"
