"""Logging of a rule script into the rule's Snakemake `log:` file, and progress of long loops."""

import json
import logging
import math
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@contextmanager
def logged(smk: Any) -> Iterator[logging.Logger]:
    """Send the script's log, the library's (`progress`) and any traceback to the rule's log.

    Without this, a failing rule script leaves only "see log" and an empty log behind. The
    handler sits on the `sbrtlung` logger, so every `sbrtlung.*` logger reaches the file. When
    the script fails because an input (an intermediate file of an earlier rule) is truncated
    or corrupt, the user gets one line naming it and how to rebuild it, in the log too, and no
    library traceback.
    """
    package = logging.getLogger("sbrtlung")
    logger = logging.getLogger(f"sbrtlung.rule.{smk.rule}")
    handler = logging.FileHandler(smk.log[0], mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addHandler(handler)
    logger.info("rule %s", smk.rule)
    try:
        yield logger
    except SystemExit:
        raise
    except BaseException as error:
        broken = corrupt_input(getattr(smk, "input", ()))
        if broken is None:
            logger.exception("rule %s failed", smk.rule)
            print(f"rule {smk.rule} failed; traceback in {smk.log[0]}", file=sys.stderr)
            raise
        # The cause is known: one line, here and in the log (which the profile prints), and no
        # library traceback.
        message = (
            f"rule {smk.rule}: input {broken[0]} is truncated or corrupt ({broken[1]}); delete "
            "it and run snakemake again, which rebuilds it"
        )
        logger.error(message)
        logger.error("the error it caused: %s: %s", type(error).__name__, error)
        print(message, file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        cpu, peak = usage()
        logger.info("resources: cpu %.2f s, peak RSS %.0f MiB", cpu, peak)
        handler.close()
        package.removeHandler(handler)
        logging.getLogger("py.warnings").removeHandler(handler)


def progress(
    items: Iterable[T],
    what: str,
    *,
    total: int | None = None,
    steps: int = 10,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[T]:
    """Yield `items` and log "<what>: k of n done (p%), s elapsed" about every 1/`steps`.

    For the loops of the long jobs (CV repeats, final refit, marker Cox models, simulation
    batches): a job that runs for minutes shows in its log how far it is and how fast it goes,
    so `tail logs/<rule>.log` answers "is it stuck?". Logged at INFO to `sbrtlung.progress`,
    which `logged` sends to the rule's log; outside a rule it goes nowhere unless configured.
    `total` is needed only when `items` has no length.
    """
    n = len(items) if total is None and isinstance(items, Sized) else total
    if n is None:
        raise TypeError("progress: give `total` for an iterable without a length")
    log = logging.getLogger("sbrtlung.progress")
    marks = {math.ceil(n * j / steps) for j in range(1, steps + 1)} if n else set()
    start = clock()
    log.info("%s: %d to do", what, n)
    for done, item in enumerate(items, start=1):
        yield item
        if done in marks:
            log.info(
                "%s: %d of %d done (%.0f%%), %.1f s elapsed",
                what,
                done,
                n,
                100 * done / n,
                clock() - start,
            )


def corrupt_input(paths: Iterable[Any]) -> tuple[str, str] | None:
    """The first input file (parquet, CSV, JSON) that cannot be read whole, and why."""
    import pandas as pd
    import pyarrow.parquet as parquet

    readers = {".parquet": parquet.read_table, ".csv": pd.read_csv}
    readers[".json"] = lambda path: json.loads(Path(path).read_text(encoding="utf-8"))
    for path in map(Path, paths):
        read = readers.get(path.suffix)
        if read is None or not path.is_file():
            continue
        try:
            read(path)
        except Exception as error:
            return str(path), f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return None


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
