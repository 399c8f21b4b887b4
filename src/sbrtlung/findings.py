"""A data-quality finding: one broken rule at one place of one export.

Every check of the validation gate (parsing, the pandera column contract, the cross-file
rules) reports in this one shape, so the report, the stderr summary and the tests read them
the same way.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

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


def row_list(rows: Iterable[Any]) -> str:
    """Row numbers as a message writes them: '2, 5, 9'."""
    return ", ".join(str(int(row)) for row in rows)


def rows_by_value(values: pd.Series) -> dict[Any, str]:
    """For each non-missing value of a column (index = row number), its rows as `row_list`.

    Grouped in one pass: a scan of the column per duplicated row would take time quadratic in
    the rows of a doubled export.
    """
    known = values.dropna()
    return known.index.to_series().groupby(known.to_numpy(), sort=False).agg(row_list).to_dict()
