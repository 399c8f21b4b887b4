"""The workflow on a real SLURM cluster, against a local run of the same config.

The tests run where a cluster answers: `sinfo` reports a node that is up. Nothing here installs
or starts anything. Elsewhere they are skipped with the reason, unless SBRTLUNG_SLURM_REQUIRED
is set (CI sets it), where a missing cluster is a failure. CI, and anyone as root on a Debian
machine, get a single-node cluster with .ci/slurm/start.sh and stop it with .ci/slurm/stop.sh
(README, "Tests and benchmarks"). On a real cluster, run `pytest tests/slurm` on a login node
from a checkout on the shared filesystem.

The small trial runs to results/key_results.json once locally (profiles/default) and once with
--profile profiles/slurm.
"""

import collections
import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflow.runs import workflow_copy

pytestmark = pytest.mark.slow

SMALL = (
    "bootstrap_reps: 50\ncv_repeats: 2\nsimulation:\n  n_patients: 40\n"
    "simulation_study:\n  replicates: 4\n  batches: 2\n  bootstrap_reps: 50\n"
)
TARGET = "results/key_results.json"
OUTPUT = "snakemake.out"  # what a run prints, in its scratch folder
SUBMITTED = re.compile(r"submitted with SLURM jobid (\d+) \(log: (\S+/rule_(\w+)/\S+)\)")
UP = {"idle", "mixed", "allocated", "completing"}  # node states that take or run jobs


def unavailable() -> str | None:
    """Why no SLURM cluster answers here, or None when one does."""
    if shutil.which("sinfo") is None:
        return "no SLURM client (sinfo) on PATH"
    try:
        done = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if done.returncode != 0:
        return f"sinfo failed: {done.stderr.strip() or done.returncode}"
    states = {state.rstrip("*~#!%$@^-") for state in done.stdout.split()}
    if not states & UP:
        return f"no SLURM node is up (sinfo: {', '.join(sorted(states)) or 'no node'})"
    return None


@pytest.fixture(scope="module")
def cluster():
    """Skip (or, with SBRTLUNG_SLURM_REQUIRED, fail) unless a cluster answers."""
    reason = unavailable()
    if reason and os.environ.get("SBRTLUNG_SLURM_REQUIRED"):
        pytest.fail(f"SBRTLUNG_SLURM_REQUIRED is set but {reason}")
    if reason:
        pytest.skip(f"{reason}; start one with .ci/slurm/start.sh (README)")


def controller_log() -> Path | None:
    """slurmctld's log file, as the cluster's configuration names it."""
    done = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True)
    found = re.search(r"^SlurmctldLogFile\s*=\s*(\S+)", done.stdout, re.M)
    return Path(found[1]) if found else None


def snakemake(folder: Path, *args: str) -> subprocess.Popen:
    """A run of the small config to the target, in the background, its output in a file."""
    command = [sys.executable, "-m", "snakemake", TARGET, *args, "--configfile", "small.yaml"]
    with (folder / OUTPUT).open("w") as output:
        return subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT)


def scratch(folder: Path) -> Path:
    """The workflow with its profiles and this module's small config, in a fresh folder."""
    workflow_copy(folder)
    (folder / "small.yaml").write_text(SMALL)
    return folder


@pytest.fixture(scope="module")
def runs(cluster, tmp_path_factory):
    """The folders and output of a cluster run and of a local run of the same target and config.

    The two run at the same time: the cluster run spends most of its time between status
    checks, and the local one fits in there.
    """
    base = tmp_path_factory.mktemp("slurm")
    folders = {"slurm": scratch(base / "slurm"), "local": scratch(base / "local")}
    started = {
        "slurm": snakemake(folders["slurm"], "--profile", "profiles/slurm"),
        "local": snakemake(folders["local"]),
    }
    try:
        for run in started.values():
            run.wait(timeout=1200)
    finally:
        for run in started.values():
            if run.poll() is None:
                run.terminate()  # Snakemake cancels its SLURM jobs on SIGTERM
                run.wait()
    output = {name: (folder / OUTPUT).read_text() for name, folder in folders.items()}
    for name, run in started.items():
        assert run.returncode == 0, (name, output[name][-3000:])
    return {"folders": folders, "output": output}


def test_every_job_ran_as_a_slurm_job(runs):
    """Each job of the local run was an sbatch job here, with its SLURM log."""
    local, slurm = runs["output"]["local"], runs["output"]["slurm"]
    assert "workflow specific profile profiles/default" in local
    local_jobs = collections.Counter(re.findall(r"^localrule (\w+):", local, re.M))
    submitted = SUBMITTED.findall(slurm)
    assert collections.Counter(rule for _, _, rule in submitted) == local_jobs
    assert "key_results" in local_jobs and local_jobs["model_repeat"] == 2
    for _, log, _ in submitted:
        assert Path(log).is_file()
        assert Path(log).is_relative_to(runs["folders"]["slurm"] / ".snakemake" / "slurm_logs")


def test_slurmctld_saw_every_job_end_with_status_0(runs):
    """The controller's own record of each job, where its log can be read (on CI's cluster)."""
    log = controller_log()
    if log is None or not os.access(log, os.R_OK):
        pytest.skip(f"slurmctld's log ({log or 'not configured'}) cannot be read here")
    controller = log.read_text(errors="replace")
    for jobid, _, _ in SUBMITTED.findall(runs["output"]["slurm"]):
        assert f"_job_complete: JobId={jobid} WEXITSTATUS 0" in controller, jobid


def test_cluster_results_are_byte_identical_to_the_local_run(runs):
    """Every file the target needs, key_results.json included, is the same byte for byte."""
    local, slurm = (runs["folders"][name] / "results" for name in ("local", "slurm"))
    files = sorted(p.relative_to(local) for p in local.rglob("*") if p.is_file())
    assert Path("key_results.json") in files
    assert files == sorted(p.relative_to(slurm) for p in slurm.rglob("*") if p.is_file())
    different = [f for f in files if not filecmp.cmp(local / f, slurm / f, shallow=False)]
    assert not different, different
