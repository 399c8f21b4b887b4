"""Logging of a rule script into the rule's Snakemake `log:` file."""

import logging
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def logged(smk: Any) -> Iterator[logging.Logger]:
    """Send the script's log and any traceback to the rule's log file.

    Without this, a failing rule script leaves only "see log" and an empty log behind.
    """
    logger = logging.getLogger(f"sbrtlung.{smk.rule}")
    handler = logging.FileHandler(smk.log[0], mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addHandler(handler)
    logger.info("rule %s", smk.rule)
    try:
        yield logger
    except SystemExit:
        raise
    except BaseException:
        logger.exception("rule %s failed", smk.rule)
        print(f"rule {smk.rule} failed; traceback in {smk.log[0]}", file=sys.stderr)
        raise
    finally:
        cpu, peak = usage()
        logger.info("resources: cpu %.2f s, peak RSS %.0f MiB", cpu, peak)
        handler.close()
        logger.removeHandler(handler)
        logging.getLogger("py.warnings").removeHandler(handler)


def usage() -> tuple[float, float]:
    """CPU seconds (user + system) and peak resident memory (MiB) of this process and of its
    waited-for children (pandoc, typst), as the kernel counted them.

    Exact, unlike Snakemake's benchmark, which samples memory every 30 s after the first 15 s.
    The job's log states them, so a cluster run can size `mem_mb` from a previous run.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return cpu, max(_own_peak_kib(own), _kib(children.ru_maxrss)) / 1024


def _own_peak_kib(own: resource.struct_rusage) -> float:
    """This process's peak RSS since it started. Linux's ru_maxrss would also count the
    parent's memory at the moment it spawned us (kept across exec), hence VmHWM there.

    A child's ru_maxrss has the same floor, our own memory when we spawned it, which the
    maximum with our own peak absorbs.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])  # kB
    return _kib(own.ru_maxrss)


def _kib(maxrss: int) -> float:
    """ru_maxrss in KiB: macOS counts bytes, Linux KiB."""
    return maxrss / 1024 if sys.platform == "darwin" else float(maxrss)


class Progress:
    """Logs "k of n <what> done, <elapsed> s" about every tenth of the way through a long job,
    so its log shows it is alive and how far it is."""

    def __init__(self, log: logging.Logger, total: int, what: str) -> None:
        self.log, self.total, self.what = log, total, what
        self.done = 0
        self.every = max(1, round(total / 10))
        self.started = time.perf_counter()

    def step(self) -> None:
        """One more unit done; log when a tenth (or the last unit) is reached."""
        self.done += 1
        if self.done % self.every == 0 or self.done == self.total:
            elapsed = time.perf_counter() - self.started
            self.log.info("%d of %d %s done, %.1f s", self.done, self.total, self.what, elapsed)
