"""A data-quality finding: one broken rule at one place of one export.

Every check of the validation gate (parsing, the pandera column contract, the cross-file
rules) reports in this one shape, so the report, the stderr summary and the tests read them
the same way.
"""

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Severity = Literal["FATAL", "WARN"]
COLUMNS = ["severity", "file", "row", "column", "value", "rule", "message"]


@dataclass(frozen=True)
class Finding:
    """`row` is 1 for the first data row of the file, and 0 for the file or header itself."""

    severity: Severity
    file: str
    row: int
    column: str
    value: str
    rule: str
    message: str


def to_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table in a stable order: FATAL first, then by file, row, column, rule."""
    frame = pd.DataFrame([f.__dict__ for f in findings], columns=COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    order = frame["severity"].map({"FATAL": 0, "WARN": 1})
    return (
        frame.assign(_order=order)
        .sort_values(["_order", "file", "row", "column", "rule", "value"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
