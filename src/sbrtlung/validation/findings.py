"""A data-quality finding: one broken rule at one place of one export.

Every check of the validation gate (parsing, the pandera column contract, the cross-file
rules) reports in this one shape, so the report, the stderr summary and the tests read them
the same way.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

Severity = Literal["FATAL", "WARN"]
COLUMNS = ["severity", "file", "row", "column", "value", "rule", "message"]


@dataclass(frozen=True, slots=True)
class Finding:
    """`row` is 1 for the first data row of the file, and 0 for the file or header itself."""

    severity: Severity
    file: str
    row: int
    column: str
    value: str
    rule: str
    message: str


def read_findings(path: str | Path) -> list[Finding]:
    """Findings written as CSV with the columns of `COLUMNS` (the REDCap split's notes)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            Finding(**{**r, "row": int(r["row"])})  # type: ignore[arg-type]
            for r in csv.DictReader(handle)
        ]


def to_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table in a stable order: FATAL first; within a severity the findings on a
    whole file (row 0, no column: a missing, unreadable, malformed or empty file, the root
    cause of what else that file breaks) first, then by file, row, column, rule."""
    frame = pd.DataFrame(map(attrgetter(*COLUMNS), findings), columns=COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    order = frame["severity"].map({"FATAL": 0, "WARN": 1})
    whole_file = (frame["row"] == 0) & (frame["column"] == "")
    return (
        frame.assign(_order=order, _part=(~whole_file).astype(int))
        .sort_values(["_order", "_part", "file", "row", "column", "rule", "value"], kind="stable")
        .drop(columns=["_order", "_part"])
        .reset_index(drop=True)
    )


MAX_ROWS_LISTED = 10


def row_list(rows: Iterable[Any]) -> str:
    """Row numbers as a message writes them: '2, 5, 9', the first MAX_ROWS_LISTED only, then
    'and N more' (a message listing every row of a million-row export would be unreadable)."""
    rows = list(rows)
    shown = ", ".join(str(int(row)) for row in rows[:MAX_ROWS_LISTED])
    more = len(rows) - MAX_ROWS_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def group_row_lists(rows: np.ndarray, groups: np.ndarray, prefix: str = "") -> list[str]:
    """For each row, `prefix` and the `row_list` of the rows in its group (`groups`: one code
    per row); the rows of a group share one string.

    Grouped in one sort: a scan per row, or a Python function per pandas group, takes
    minutes on a million-row export with duplicated rows.
    """
    if not len(groups):
        return []
    order = np.argsort(groups, kind="stable")
    ordered_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, ordered_groups[1:] != ordered_groups[:-1]])
    ends = np.r_[starts[1:], len(order)]
    texts = {
        ordered_groups[start]: prefix
        + row_list(rows[order[start : min(end, start + MAX_ROWS_LISTED)]])
        + (f" and {end - start - MAX_ROWS_LISTED} more" if end - start > MAX_ROWS_LISTED else "")
        for start, end in zip(starts, ends, strict=True)
    }
    return [texts[group] for group in groups]


def rows_by_value(values: pd.Series) -> dict[Any, str]:
    """For each non-missing value of a column (index = row number), its rows as `row_list`."""
    known = values.dropna()
    codes, uniques = pd.factorize(known, sort=False)
    lists = group_row_lists(known.index.to_numpy(), codes)
    return dict(zip(uniques[codes], lists, strict=True))
