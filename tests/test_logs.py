"""The rule scripts' log: the traceback of a failure, and the job's resources as the kernel
counted them (bench/scale.py reads that line)."""

import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from sbrtlung.logs import Progress, logged, usage

RESOURCES = re.compile(r"^INFO resources: cpu ([\d.]+) s, peak RSS ([\d.]+) MiB$", re.M)


def test_log_names_the_rule_and_ends_with_the_resources(tmp_path):
    log = tmp_path / "rule.log"
    with logged(SimpleNamespace(rule="efficacy", log=[str(log)])) as logger:
        logger.info("working")
    lines = log.read_text().splitlines()
    assert lines[:2] == ["INFO rule efficacy", "INFO working"]
    cpu, peak = map(float, RESOURCES.search(lines[-1]).groups())
    assert cpu > 0 and peak > 10


def test_a_failure_leaves_its_traceback_and_the_resources(tmp_path):
    log = tmp_path / "rule.log"
    with pytest.raises(ValueError), logged(SimpleNamespace(rule="adsl", log=[str(log)])):
        raise ValueError("bad column")
    text = log.read_text()
    assert "rule adsl failed" in text and "ValueError: bad column" in text
    assert RESOURCES.search(text)


def test_peak_memory_counts_what_the_process_touched():
    """A fresh interpreter that fills 300 MiB reports a peak above 300 MiB, one that does
    not stays below, even when its parent holds 500 MiB as it spawns them (Linux's ru_maxrss
    would count the parent's): the figure is the job's own."""
    code = (
        "import numpy as np, sys; from sbrtlung.logs import usage\n"
        "a = np.ones(int(sys.argv[1]) * 2**20 // 8) if int(sys.argv[1]) else None\n"
        "print(usage()[1])"
    )
    held = np.ones(500 * 2**20 // 8)  # the parent's memory when it spawns the children
    peaks = [
        float(
            subprocess.run(
                [sys.executable, "-c", code, str(mib)], capture_output=True, text=True, check=True
            ).stdout
        )
        for mib in (0, 300)
    ]
    assert held.sum() > 0
    assert peaks[0] < 300 < peaks[1] < peaks[0] + 330


def test_cpu_time_grows_with_work():
    before = usage()[0]
    x = np.random.default_rng(0).random((400, 400))
    for _ in range(50):
        x = np.linalg.qr(x)[0]
    assert usage()[0] > before


def test_progress_is_logged_about_every_tenth_and_at_the_end(caplog):
    import logging

    log = logging.getLogger("sbrtlung.test_progress")
    progress = Progress(log, 25, "trials")
    with caplog.at_level(logging.INFO, logger=log.name):
        for _ in range(25):
            progress.step()
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(" done")[0] for line in lines] == [
        f"{k} of 25 trials" for k in (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25)
    ]
    assert all(re.search(r"done, \d+\.\d s$", line) for line in lines)
