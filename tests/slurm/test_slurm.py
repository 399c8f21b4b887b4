"""The workflow on a real single-node SLURM cluster, against a local run of the same config.

The module starts munged, slurmctld and slurmd with ci/slurm/start.sh (which installs Debian's
SLURM packages when they are missing), runs the small trial to results/key_results.json once
locally (profiles/default) and once with --profile profiles/slurm, and stops the daemons by PID
at the end, also when a test fails. It is skipped only where SLURM cannot be installed (no root,
or apt-get fails); any other failure to start the cluster is an error.
"""

import collections
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.scratch import ROOT
from tests.workflow.test_workflow import workflow_copy

pytestmark = pytest.mark.slow

CLUSTER = ROOT / "ci" / "slurm"
UNAVAILABLE = 3  # start.sh's exit status when SLURM cannot be installed on this machine
SMALL = (
    "bootstrap_reps: 50\ncv_repeats: 2\nsimulation:\n  n_patients: 40\n"
    "simulation_study:\n  replicates: 4\n  batches: 2\n  bootstrap_reps: 50\n"
)
TARGET = "results/key_results.json"
OUTPUT = "snakemake.out"  # what a run prints, in its scratch folder
SUBMITTED = re.compile(r"submitted with SLURM jobid (\d+) \(log: (\S+/rule_(\w+)/\S+)\)")
DAEMONS = {"slurmd.pid": "slurmd", "slurmctld.pid": "slurmctld", "munge/munged.pid": "munged"}


def running_daemons(state: Path) -> dict[str, int]:
    """The daemons whose PID file names a live process of that name."""
    found = {}
    for pidfile, name in DAEMONS.items():
        path = state / pidfile
        if path.is_file():
            pid = int(path.read_text())
            comm = Path(f"/proc/{pid}/comm")
            if comm.is_file() and comm.read_text().strip() == name:
                found[name] = pid
    return found


def cluster_script(name: str, state: Path, timeout: int) -> subprocess.CompletedProcess:
    """Run a script of ci/slurm/ on the cluster's state folder."""
    command = ["bash", str(CLUSTER / name), str(state)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def cluster():
    """The cluster's state folder while it runs.

    The folder is made under /tmp, not pytest's tmp_path: munged runs as the munge user and
    must reach its key and socket, and pytest's folders are private to root.
    """
    state = Path(tempfile.mkdtemp(prefix="sbrtlung-slurm-"))
    try:
        started = cluster_script("start.sh", state, timeout=900)
        if started.returncode == UNAVAILABLE:
            pytest.skip(f"SLURM cannot be installed here: {started.stderr.strip()}")
        assert started.returncode == 0, started.stderr[-3000:]
        assert set(running_daemons(state)) == set(DAEMONS.values())
        yield state
    finally:
        stopped = cluster_script("stop.sh", state, timeout=120)
        left = running_daemons(state)
        assert stopped.returncode == 0 and not left, (left, stopped.stderr)
        shutil.rmtree(state)


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
    return {"state": cluster, "folders": folders, "output": output}


def test_every_job_ran_as_a_slurm_job(runs):
    """Each job of the local run was an sbatch job here that slurmctld saw end with status 0."""
    local, slurm = runs["output"]["local"], runs["output"]["slurm"]
    assert "workflow specific profile profiles/default" in local
    local_jobs = collections.Counter(re.findall(r"^localrule (\w+):", local, re.M))
    submitted = SUBMITTED.findall(slurm)
    assert collections.Counter(rule for _, _, rule in submitted) == local_jobs
    assert "key_results" in local_jobs and local_jobs["model_repeat"] == 2
    controller = (runs["state"] / "log" / "slurmctld.log").read_text()
    for jobid, log, _ in submitted:
        assert Path(log).is_file()
        assert Path(log).is_relative_to(runs["folders"]["slurm"] / ".snakemake" / "slurm_logs")
        assert f"_job_complete: JobId={jobid} WEXITSTATUS 0" in controller, jobid


def test_cluster_results_are_byte_identical_to_the_local_run(runs):
    """Every file the target needs, key_results.json included, is the same byte for byte."""
    local, slurm = (runs["folders"][name] / "results" for name in ("local", "slurm"))
    files = sorted(p.relative_to(local) for p in local.rglob("*") if p.is_file())
    assert Path("key_results.json") in files
    assert files == sorted(p.relative_to(slurm) for p in slurm.rglob("*") if p.is_file())
    different = [f for f in files if not filecmp.cmp(local / f, slurm / f, shallow=False)]
    assert not different, different
