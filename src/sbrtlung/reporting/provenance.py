"""Provenance of a run: what went in (input hashes, config), with what (code, packages).

Recorded in `results/provenance.json` and shown in the manuscript's supplement, so a reviewer
can tell whether two papers were made from the same data, settings and code. Nothing in it
depends on the time of the run; file names are relative to the raw folder.
"""

import csv
import hashlib
import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sbrtlung.tables import Table, markdown_table

# Distributions whose versions decide the numbers, the figures or the rendered paper.
PACKAGES = (
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "pandera",
    "pyarrow",
    "lifelines",
    "scikit-survival",
    "scikit-learn",
    "matplotlib",
    "pypandoc-binary",
    "typst",
)


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_rows(path: str | Path) -> int:
    """Records after the header, counted by a CSV parser: carriage-return line ends, quoted
    line breaks and a last line without its line end count as the gate reads them."""
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the config as canonical JSON (sorted keys), stable across runs."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def git_state(folder: str | Path) -> dict[str, Any]:
    """Commit and whether tracked files differ from it; both null outside a git checkout."""

    def git(*args: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def record(
    raw_files: list[str | Path], config: dict[str, Any], git: dict[str, Any]
) -> dict[str, Any]:
    """The provenance record of one run."""
    inputs = {
        Path(f).name: {"sha256": sha256(f), "rows": data_rows(f), "bytes": Path(f).stat().st_size}
        for f in sorted(raw_files, key=lambda f: Path(f).name)
    }
    return {
        "inputs": inputs,
        "config": config,
        "config_sha256": config_hash(config),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": git,
    }


def provenance_table(prov: dict[str, Any]) -> Table:
    """The supplement's provenance tables: inputs with their hashes, then the software.

    The frame lists both, one row per item (`part` input or software); the Markdown shows
    the inputs (with the config's hash) and the software versions as two tables.
    """
    rows = [(name, f["rows"], f["sha256"]) for name, f in prov["inputs"].items()]
    rows += [("config (canonical JSON)", "", prov["config_sha256"])]
    files = pd.DataFrame(rows, columns=["Input", "Data rows", "SHA-256"])
    git = prov["git"]
    software = pd.DataFrame(
        [
            ("Python", prov["python"]),
            ("Platform", f"`{prov['platform']}`"),  # a machine string, set as code
            *prov["packages"].items(),
            ("Git commit", git["commit"] or "not a git checkout"),
            ("Uncommitted changes", {True: "yes", False: "no", None: "unknown"}[git["dirty"]]),
        ],
        columns=["Component", "Version"],
    )
    frame = pd.concat(
        [
            files.rename(columns={"Input": "item", "Data rows": "rows", "SHA-256": "value"}),
            software.rename(columns={"Component": "item", "Version": "value"}),
        ],
        keys=["input", "software"],
        names=["part", None],
    ).reset_index(level=0)
    text = (
        markdown_table(
            files,
            "lrl",
            "Inputs of this build: data rows and SHA-256 of every raw "
            "export, and the hash of the configuration.",
            label="tbl-provenance-inputs",
        )
        + "\n"
        + markdown_table(software, "ll", "Software of this build.", label="tbl-provenance-software")
    )
    return Table(frame, text)


@dataclass(frozen=True)
class Provenance:
    """What the provenance rule writes: the record (JSON) and its tables for the supplement."""

    record: dict[str, Any]
    table: Table


def describe_run(
    raw_files: list[str | Path], config: dict[str, Any], git: dict[str, Any]
) -> Provenance:
    """The provenance of one run (`record`) with its tables (`provenance_table`)."""
    prov = record(raw_files, config, git)
    return Provenance(prov, provenance_table(prov))
