"""A scratch copy of the workflow, so that benchmarks and the workflow tests never touch the
checkout's results/, and a timed Snakemake run in it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = (
    "Snakefile",
    "rules",
    "scripts",
    "schemas",
    "config",
    "report",
    "envs",
    "manuscript",
    "profiles",
)


def workflow_copy(target: Path) -> Path:
    """The workflow's files (not its results) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    ignored = shutil.ignore_patterns(
        "__pycache__", "_output", "_results", "_variables.yml", ".quarto"
    )
    for name in WORKFLOW:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignored, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / name)
    return target


def snakemake(folder: Path, cores: int, *args: str) -> float:
    """Run Snakemake in `folder`; its wall time in seconds. Exits with its stderr on failure."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"snakemake failed in {folder}:\n{done.stderr[-3000:]}")
    return elapsed
