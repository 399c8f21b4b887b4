rule redcap_split:
    """raw_format redcap: REDCap's records export -> the nine exports the gate reads, and the
    row map that locates each of their rows in REDCap (record, instrument, instance).

    Refuses, with one line, a data dictionary that is not the current eCRF, an export with
    labels instead of raw codes, and fields the eCRF does not have (docs/redcap.md); choice
    labels that differ from the eCRF's are WARN findings for the gate's report.
    """
    input:
        records=REDCAP_FILES["records"],
        dictionary=REDCAP_FILES["dictionary"],
    output:
        exports=expand(f"{REDCAP_EXPORTS}/{{table}}.csv", table=EXPORTS),
        rows=REDCAP_ROWS,
        notes=REDCAP_NOTES,
    log:
        "logs/redcap_split.log",
    benchmark:
        "benchmarks/redcap_split.tsv"
    conda:
        ENV
    resources:
        mem_mb=memory(12),
    script:
        "../scripts/redcap_split.py"
