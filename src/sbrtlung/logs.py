"""Logging of a rule script into the rule's Snakemake `log:` file."""

import logging
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
        handler.close()
        logger.removeHandler(handler)
        logging.getLogger("py.warnings").removeHandler(handler)
