"""How numbers are printed in every table and in the manuscript: one place, one style.

Percentages carry one decimal (91.2%), estimates with CIs read "91.2% (85.0-95.1)", and
Markdown tables are pipe tables that both Quarto and pandoc render.
"""

import math

import pandas as pd


def percent(value: float, decimals: int = 1) -> str:
    """A proportion in 0-1 as a percentage string; missing stays visibly missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    return f"{100 * value:.{decimals}f}%"


def n_pct(n: int, total: int, decimals: int = 1) -> str:
    """'n (p%)' of a denominator; 0 of 0 is '0 (NA)' rather than a division error."""
    if total == 0:
        return f"{n} (NA)"
    return f"{n} ({100 * n / total:.{decimals}f}%)"


def estimate_ci(estimate: float, lower: float, upper: float, decimals: int = 1) -> str:
    """'91.2% (85.0-95.1)' for a proportion with its confidence interval."""
    if any(v is None or math.isnan(v) for v in (lower, upper)):
        return percent(estimate, decimals)
    return f"{percent(estimate, decimals)} ({100 * lower:.{decimals}f}-{100 * upper:.{decimals}f})"


def number(value: float, decimals: int = 1) -> str:
    """A plain number with fixed decimals ('NA' when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    return f"{value:.{decimals}f}"


def p_value(value: float | None) -> str:
    """A p- or q-value: three decimals, '<0.001' and '>0.999' at the ends, 'NA' when missing."""
    if value is None or math.isnan(value):
        return "NA"
    if value < 0.001:
        return "<0.001"
    if value > 0.999:
        return ">0.999"
    return f"{value:.3f}"


def median_iqr(values: pd.Series, decimals: int = 1) -> str:
    """'median (Q1-Q3)' of the non-missing values."""
    v = pd.Series(values, dtype="float64").dropna()
    if v.empty:
        return "NA"
    q1, q2, q3 = v.quantile([0.25, 0.5, 0.75])
    return f"{q2:.{decimals}f} ({q1:.{decimals}f}-{q3:.{decimals}f})"


def markdown_table(frame: pd.DataFrame, align: str | None = None) -> str:
    """A pipe table; `align` holds one of 'l', 'r', 'c' per column (default: first left)."""
    columns = [str(c) for c in frame.columns]
    align = align or "l" + "r" * (len(columns) - 1)
    rule = {"l": ":--", "r": "--:", "c": ":-:"}

    def cell(value: object) -> str:
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else value
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(c) for c in columns) + " |",
        "| " + " | ".join(rule[a] for a in align) + " |",
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines) + "\n"
