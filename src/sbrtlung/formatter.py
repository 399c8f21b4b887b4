"""How every number of the paper is printed: one formatter behind the tables and the text.

A number is printed by its declared kind (`Kind`), never by a guess from its name. The
typography is a journal's: a negative number carries the minus sign U+2212 (never the
hyphen-minus), a range of two non-negative limits is joined by an en dash ("85.0–95.1"), a
range with a negative limit by " to " ("−0.004 to 0.027", no-break spaces: a line never breaks
inside a range), and a value with its interval
reads "91.2% (95% CI 85.0–95.1)" on its own and "91.2%, 95% CI 85.0–95.1" inside brackets,
so brackets never nest. An estimate or limit that could not be estimated (missing) prints
NOT_ESTIMABLE, "NE", in every table and figure (their captions say what it means) and
NOT_ESTIMABLE_WORDS, "not estimable", in running text; a missing median prints "not reached",
and a summary of no data at all (a p-value, median and quartiles, a range) "NA".
"""

from enum import StrEnum
from typing import Any

import pandas as pd

MINUS = "\u2212"
EN_DASH = "\u2013"
TO = "\u00a0to\u00a0"  # a range with a negative limit; no line break inside it
NOT_ESTIMABLE = "NE"
NOT_ESTIMABLE_WORDS = "not estimable"


class Kind(StrEnum):
    """What a number is, which decides how it prints."""

    PROPORTION = "proportion"  # an estimate in 0-1: "91.2%" (limits "85.0–95.1")
    SETTING = "setting"  # a proportion fixed by design (null, power, level): "80%", "2.5%"
    COUNT = "count"  # an integer: "57"
    MONTHS = "months"  # a time in months: "28.0"
    DAYS = "days"  # a time in days, exact: "730.5", "−28"
    HAZARD_RATIO = "hazard_ratio"  # "1.32"
    C_STATISTIC = "c_statistic"  # a concordance or AUC: "0.612"
    BRIER_SCORE = "brier_score"  # an (integrated) Brier score: "0.154"
    CV_GAIN = "cv_gain"  # a paired difference of a performance measure, signed: "+0.012"
    PERCENTAGE_POINTS = "percentage_points"  # a difference of proportions (0.0031): "0.31"
    P_VALUE = "p_value"  # a p- or q-value: "0.003", "<0.001"
    NUMBER = "number"  # any other number: exact up to four decimals ("30.4375"), else three


DECIMALS = {
    Kind.PROPORTION: 1,
    Kind.MONTHS: 1,
    Kind.HAZARD_RATIO: 2,
    Kind.C_STATISTIC: 3,
    Kind.BRIER_SCORE: 3,
    Kind.CV_GAIN: 3,
    Kind.PERCENTAGE_POINTS: 2,
}


def missing(value: Any) -> bool:
    """None, NaN or pandas' NA."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


# Words that keep their capital inside a sentence although only their first letter is one.
PROPER_NAMES = ("Charlson", "Kaplan", "Harrell", "Uno", "Brier")


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'Age' -> 'age', but 'ECOG performance status',
    'C-reactive protein' and 'Charlson comorbidity index' keep their capitals."""
    first = label.split(" ", 1)[0]
    if first[:2].isupper() or any(c.isdigit() for c in first) or first.startswith(PROPER_NAMES):
        return label
    return label[:1].lower() + label[1:]


def signed(text: str) -> str:
    """A formatted number with the true minus sign."""
    return text.replace("-", MINUS)


def _exact(value: float) -> str:
    """Exact when the number has at most four decimals (30.4375), else three (1.645)."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return text if "e" not in text and len(text.split(".")[1]) <= 4 else f"{value:.3f}"


def p_value(value: float | None) -> str:
    """Three decimals, '<0.001' and '>0.999' at the ends, 'NA' when missing."""
    if missing(value):
        return "NA"
    if value < 0.001:
        return "<0.001"
    if value > 0.999:
        return ">0.999"
    return f"{value:.3f}"


def number(value: Any, kind: Kind | str, unit: bool = True, decimals: int | None = None) -> str:
    """One value of a kind; `unit=False` drops the % of a proportion (inside a range)."""
    kind = Kind(kind)
    if missing(value):
        return "not reached" if kind is Kind.MONTHS and unit else NOT_ESTIMABLE
    if kind is Kind.P_VALUE:
        return p_value(value)
    if kind is Kind.COUNT:
        return signed(str(int(value)))
    if kind is Kind.SETTING:
        return signed(_exact(round(100 * value, 4))) + ("%" if unit else "")
    if kind in (Kind.DAYS, Kind.NUMBER):
        return signed(_exact(value) if decimals is None else f"{value:.{decimals}f}")
    d = DECIMALS[kind] if decimals is None else decimals
    if kind in (Kind.PROPORTION, Kind.PERCENTAGE_POINTS):
        sign = "%" if unit and kind is Kind.PROPORTION else ""
        return signed(f"{100 * value:.{d}f}") + sign
    if kind is Kind.CV_GAIN:
        return signed(f"{value:+.{d}f}")
    return signed(f"{value:.{d}f}")


def interval(lower: Any, upper: Any, kind: Kind | str, decimals: int | None = None) -> str:
    """'85.0–95.1', or '−0.004 to 0.027' when a limit is negative; limits without a unit."""
    kind = Kind(kind)
    limit_kind = Kind.NUMBER if kind is Kind.CV_GAIN else kind  # limits carry no '+'
    if kind is Kind.CV_GAIN:
        limits = [
            NOT_ESTIMABLE if missing(v) else signed(f"{v:.{decimals or DECIMALS[kind]}f}")
            for v in (lower, upper)
        ]
    else:
        limits = [
            NOT_ESTIMABLE if missing(v) else number(v, limit_kind, False, decimals)
            for v in (lower, upper)
        ]
    negative = any(not missing(v) and v < 0 for v in (lower, upper))
    return (TO if negative else EN_DASH).join(limits)


def with_interval(
    estimate: Any,
    lower: Any,
    upper: Any,
    kind: Kind | str,
    label: str = "",
    nested: bool = False,
    decimals: int | None = None,
) -> str:
    """'91.2% (95% CI 85.0–95.1)'; `nested` (inside brackets): '91.2%, 95% CI 85.0–95.1'.

    Without a label (table cells whose header names the interval): '91.2% (85.0–95.1)'. An
    interval with both limits missing is left out, except a median's ('NE–NE').
    """
    point = number(estimate, kind, decimals=decimals)
    no_limits = missing(lower) and missing(upper)
    if Kind(kind) is not Kind.MONTHS and (missing(estimate) or no_limits):
        return point  # a median keeps its interval, "not reached (95% CI NE–NE)"
    limits = interval(lower, upper, kind, decimals)
    inner = f"{label} {limits}" if label else limits
    return f"{point}, {inner}" if nested else f"{point} ({inner})"


def n_pct(n: int, total: int, decimals: int = 1) -> str:
    """'n (p%)' of a denominator; 0 of 0 is '0 (NA)' rather than a division error."""
    if not total:
        return f"{n} (NA)"
    return f"{n} ({number(n / total, Kind.PROPORTION, decimals=decimals)})"


def median_iqr(values: pd.Series, decimals: int = 1) -> str:
    """'median (Q1–Q3)' of the non-missing values."""
    v = pd.Series(values, dtype="float64").dropna()
    if v.empty:
        return "NA"
    return median_quartiles(*v.quantile([0.5, 0.25, 0.75]), decimals=decimals)


def median_quartiles(median: float, q1: float, q3: float, decimals: int = 1) -> str:
    """'12.3 (10.1–15.0)' from a median and its quartiles; 'NA' when missing."""
    if missing(median):
        return "NA"
    return f"{number(median, Kind.NUMBER, decimals=decimals)} ({_range(q1, q3, decimals)})"


def _range(low: float, high: float, decimals: int) -> str:
    fixed = [signed(f"{v:.{decimals}f}") for v in (low, high)]
    return (TO if low < 0 else EN_DASH).join(fixed)


def value_range(low: float, high: float, decimals: int = 0) -> str:
    """The range of observed values with fixed decimals: '41–84', '−2.0 to 3.5'."""
    if missing(low) or missing(high):
        return "NA"
    return _range(low, high, decimals)
