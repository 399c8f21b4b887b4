"""Rule provenance."""

from pathlib import Path

import pandas as pd

from sbrtlung.formatting import markdown_table
from sbrtlung.key_results import write_json
from sbrtlung.logs import logged
from sbrtlung.provenance import record

with logged(snakemake):
    p = snakemake.params
    prov = record(list(snakemake.input.raw), p.config, p.git)
    write_json(prov, snakemake.output.json)
    rows = [(name, f["rows"], f["sha256"]) for name, f in prov["inputs"].items()]
    rows += [("config (canonical JSON)", "", prov["config_sha256"])]
    files = pd.DataFrame(rows, columns=["Input", "Data rows", "SHA-256"])
    software = pd.DataFrame(
        [("Python", prov["python"]), ("Platform", prov["platform"])]
        + [(name, version) for name, version in prov["packages"].items()]
        + [
            ("Git commit", prov["git"]["commit"] or "not a git checkout"),
            (
                "Uncommitted changes",
                {True: "yes", False: "no", None: "unknown"}[prov["git"]["dirty"]],
            ),
        ],
        columns=["Component", "Version"],
    )
    text = markdown_table(files, "lrl") + "\n" + markdown_table(software, "ll")
    Path(snakemake.output.table).write_text(text, encoding="utf-8")
