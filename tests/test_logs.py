"""The rule scripts' log: the traceback of a failure, the job's resources as the kernel
counted them (bench/scale.py reads that line), and the progress of long loops."""

import itertools
import logging
import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from sbrtlung.logs import logged, progress, usage

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


@pytest.mark.parametrize("suffix", [".parquet", ".json", ".csv"])
def test_a_corrupt_input_is_named_with_how_to_rebuild_it(tmp_path, capsys, suffix):
    import pandas as pd

    good, bad = tmp_path / f"good{suffix}", tmp_path / f"bad{suffix}"
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    if suffix == ".parquet":
        frame.to_parquet(good)
        bad.write_bytes(good.read_bytes()[:-40])  # truncated: the footer is gone
    elif suffix == ".json":
        good.write_text('{"a": 1}')
        bad.write_text('{"a": ')
    else:
        good.write_text("a,b\n1,x\n")
        bad.write_bytes(b'a,b\n1,"x\n')  # cut inside a quoted field
    log = tmp_path / "rule.log"
    smk = SimpleNamespace(rule="efficacy", log=[str(log)], input=[str(good), str(bad)])
    with pytest.raises(SystemExit) as stopped, logged(smk):
        raise OSError("a library error deep in the reader")
    assert stopped.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith(f"rule efficacy: input {bad} is truncated or corrupt (")
    assert err[0].endswith("delete it and run snakemake again, which rebuilds it")
    # The log, which the profile prints on failure, has the error but no library traceback.
    assert "OSError: a library error" in log.read_text()
    assert "Traceback" not in log.read_text()


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


def test_progress_logs_about_every_tenth_with_the_elapsed_time(caplog):
    ticks = itertools.count(0.0, 1.5)  # every call of the clock is 1.5 s later
    with caplog.at_level(logging.INFO, logger="sbrtlung.progress"):
        seen = list(progress(range(25), "outer fits", clock=lambda: next(ticks)))
    assert seen == list(range(25))
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "outer fits: 25 to do"
    done = [int(re.match(r"outer fits: (\d+) of 25 done", line)[1]) for line in lines[1:]]
    assert done == [3, 5, 8, 10, 13, 15, 18, 20, 23, 25]  # ceil(25 * j / 10)
    assert lines[1] == "outer fits: 3 of 25 done (12%), 1.5 s elapsed"
    assert lines[-1] == "outer fits: 25 of 25 done (100%), 15.0 s elapsed"


def test_progress_of_few_items_logs_each_and_of_none_only_the_start(caplog):
    with caplog.at_level(logging.INFO, logger="sbrtlung.progress"):
        assert list(progress(iter("abc"), "models", total=3)) == ["a", "b", "c"]
        assert list(progress([], "nothing")) == []
    messages = [r.getMessage() for r in caplog.records]
    assert [m.split(",")[0] for m in messages] == [
        "models: 3 to do",
        "models: 1 of 3 done (33%)",
        "models: 2 of 3 done (67%)",
        "models: 3 of 3 done (100%)",
        "nothing: 0 to do",
    ]


def test_progress_needs_a_total_for_an_iterable_without_length():
    with pytest.raises(TypeError, match="total"):
        list(progress(iter(range(3)), "models"))


def test_library_progress_reaches_the_rule_log(tmp_path):
    """What a library loop logs through `progress` lands in the log of the rule that runs it."""
    log = tmp_path / "rule.log"
    with logged(SimpleNamespace(rule="marker_cox", log=[str(log)])):
        for _ in progress(range(2), "Cox models"):
            pass
    lines = log.read_text().splitlines()
    assert lines[1] == "INFO Cox models: 2 to do"
    assert lines[3].startswith("INFO Cox models: 2 of 2 done (100%), ")
    assert RESOURCES.search(lines[-1])
