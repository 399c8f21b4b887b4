"""Runs of the workflow in scratch folders: the small config every workflow test uses."""

import subprocess
import sys
from pathlib import Path

from bench import scratch

SMALL = (
    "bootstrap_reps: 100\ncv_repeats: 2\nsimulation:\n  n_patients: 40\n"
    "simulation_study:\n  replicates: 4\n  batches: 2\n  bootstrap_reps: 50\n"
)


def workflow_copy(target: Path) -> Path:
    """The workflow, its profiles and the small config in a fresh folder (bench/scratch.py)."""
    assert not target.exists()
    scratch.workflow_copy(target)
    (target / "small.yaml").write_text(SMALL)
    return target


def snakemake(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Snakemake on 2 cores in `folder` with the small config (and `args`)."""
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    command += ["--configfile", "small.yaml"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600)
