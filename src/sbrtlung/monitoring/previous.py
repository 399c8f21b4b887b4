"""The previous data cut analysed by the same code and configuration, in a folder of its own.

The delta compares the key results of two cuts; the previous cut's are built by this very
workflow (the same Snakefile, the current configuration with `raw_dir` and `data_cut` set to
the previous delivery's) in `<folder>/results/`, and only as far as `results/key_results.json`
and the gate's typed tables need: no paper, no figures. The nested run reads its configuration
from `<folder>/config/config.yaml` (written here) and the paper's project folder, which the
workflow reads when it starts, through a link to this checkout's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from sbrtlung.monitoring.delta import DeltaError
from sbrtlung.schemas.raw import EXPORTS

TARGETS = ("results/key_results.json", *(f"results/validated/{t}.parquet" for t in EXPORTS))


def delivered_files(folder: str) -> list[str]:
    """Every file of the previous delivery (none when no previous delivery is named)."""
    path = Path(folder)
    return sorted(str(p) for p in path.iterdir() if p.is_file()) if folder else []


def previous_config(config: dict, raw_dir: str) -> dict:
    """The current configuration with the previous delivery (`raw_dir`) as the one analysed;
    the synthetic trial's previous delivery is read as exports like any other."""
    return {
        **config,
        "raw_dir": str(Path(raw_dir).resolve()),
        "data_cut": config["previous_data_cut"],
        "previous_raw_dir": "",
        "previous_data_cut": None,
    }


def build_previous(
    config: dict, raw_dir: str, folder: str | Path, snakefile: str | Path, cores: int
) -> None:
    """Run the workflow on the previous delivery in `folder` up to its key results; a
    delivery that breaks the data contract, or any other failure, is one `DeltaError` line
    naming the report or log to read."""
    if not raw_dir or not config["previous_data_cut"]:
        raise DeltaError("the target delta needs previous_raw_dir and previous_data_cut")
    folder = Path(folder).resolve()
    (folder / "config").mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(previous_config(config, raw_dir), sort_keys=True)
    (folder / "config" / "config.yaml").write_text(text, encoding="utf-8")
    project = folder / "manuscript"
    if not project.exists():
        project.symlink_to(Path(snakefile).resolve().parent / "manuscript")
    command = [sys.executable, "-m", "snakemake", *TARGETS, "--cores", str(cores)]
    command += ["--snakefile", str(Path(snakefile).resolve()), "--directory", str(folder)]
    log = folder / "build.log"
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode == 0:
        return
    report = folder / "results" / "validation" / "report.csv"
    if report.is_file():
        findings = pd.read_csv(report, dtype=str, keep_default_na=False)
        fatal = findings[findings["severity"] == "FATAL"]
        if len(fatal):
            first = fatal.iloc[0]
            raise DeltaError(
                f"previous delivery {raw_dir}: it breaks "
                f"the data contract ({len(fatal)} FATAL finding(s), first {first['file']} row "
                f"{first['row']} column {first['column']}: {first['rule']}); see "
                f"{report.with_suffix('.md')}"
            )
    raise DeltaError(f"the analysis of the previous delivery failed; see {log}")
