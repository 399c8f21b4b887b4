"""Logging of a rule script into the rule's Snakemake `log:` file."""

import logging
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
    peak = max(own.ru_maxrss, children.ru_maxrss)
    return cpu, peak / (2**20 if sys.platform == "darwin" else 2**10)  # bytes there, KiB here
