"""The one formatter (sbrtlung.formatter): every kind of number and the typography."""

import math

import numpy as np
import pandas as pd
import pytest

from sbrtlung import formatter as f

MINUS, DASH, TO = "\u2212", "\u2013", "\u00a0to\u00a0"


@pytest.mark.parametrize(
    ("value", "kind", "printed"),
    [
        (0.91234, "proportion", "91.2%"),
        (0.8, "setting", "80%"),
        (0.025, "setting", "2.5%"),
        (57, "count", "57"),
        (27.99, "months", "28.0"),
        (None, "months", "not reached"),
        (-28, "days", f"{MINUS}28"),
        (730.5, "days", "730.5"),
        (1.3249, "hazard_ratio", "1.32"),
        (0.50814, "c_statistic", "0.508"),
        (0.1543, "brier_score", "0.154"),
        (0.064, "cv_gain", "+0.064"),
        (-0.0341, "cv_gain", f"{MINUS}0.034"),
        (-0.0031, "percentage_points", f"{MINUS}0.31"),
        (0.00031, "p_value", "<0.001"),
        (0.9995, "p_value", ">0.999"),
        (0.0437, "p_value", "0.044"),
        (30.4375, "number", "30.4375"),
        (1.6448536, "number", "1.645"),
        (math.nan, "proportion", "NE"),  # not estimable, in every table and figure
        (np.float64(0.5), "proportion", "50.0%"),
    ],
)
def test_every_kind_prints_one_way(value, kind, printed):
    assert f.number(value, kind) == printed


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        f.number(0.5, "percentish")


def test_intervals_use_an_en_dash_or_to_and_the_minus_sign():
    assert f.interval(0.85, 0.951, f.Kind.PROPORTION) == f"85.0{DASH}95.1"
    assert f.interval(-0.0341, 0.1232, f.Kind.CV_GAIN) == f"{MINUS}0.034{TO}0.123"
    assert f.interval(-28, 0, f.Kind.DAYS) == f"{MINUS}28{TO}0"
    assert f.interval(35.745, None, f.Kind.MONTHS) == f"35.7{DASH}NE"
    assert f.interval(1.04, 1.93, f.Kind.HAZARD_RATIO) == f"1.04{DASH}1.93"


def test_a_value_with_its_interval_never_nests_brackets():
    args = (0.576, 0.472, 0.675, f.Kind.PROPORTION)
    assert f.with_interval(*args, label="95% CI") == f"57.6% (95% CI 47.2{DASH}67.5)"
    assert f.with_interval(*args, label="95% CI", nested=True) == f"57.6%, 95% CI 47.2{DASH}67.5"
    assert f.with_interval(*args) == f"57.6% (47.2{DASH}67.5)"  # a table cell
    assert f.with_interval(0.5, None, None, f.Kind.PROPORTION) == "50.0%"
    assert f.with_interval(None, None, None, f.Kind.MONTHS, "95% CI") == (
        f"not reached (95% CI NE{DASH}NE)"
    )
    assert f.with_interval(None, 35.7, None, f.Kind.MONTHS, "95% CI") == (
        f"not reached (95% CI 35.7{DASH}NE)"
    )
    assert f.with_interval(0.012, -0.004, 0.027, f.Kind.CV_GAIN) == (
        f"+0.012 ({MINUS}0.004{TO}0.027)"
    )


def test_counts_percentages_medians_and_ranges():
    assert f.n_pct(12, 120) == "12 (10.0%)"
    assert f.n_pct(0, 0) == "0 (NA)"
    assert f.median_iqr(pd.Series([1.0, 2.0, 3.0, 4.0, None])) == f"2.5 (1.8{DASH}3.2)"
    assert f.median_iqr(pd.Series([], dtype=float)) == "NA"
    assert f.median_quartiles(3.0, 2.25, 3.5, 2) == f"3.00 (2.25{DASH}3.50)"
    assert f.value_range(41, 84) == f"41{DASH}84"
    assert f.value_range(-2.0, 3.5, 1) == f"{MINUS}2.0{TO}3.5"


@pytest.mark.parametrize(
    ("label", "inside"),
    [
        ("Age", "age"),
        ("Safety set, from the first SBRT start", "safety set, from the first SBRT start"),
        ("ECOG performance status", "ECOG performance status"),
        ("C-reactive protein", "C-reactive protein"),
        ("Charlson comorbidity index", "Charlson comorbidity index"),
        ("BED10 of the delivered dose", "BED10 of the delivered dose"),
    ],
)
def test_a_label_inside_a_sentence_keeps_acronyms_and_names(label, inside):
    assert f.in_sentence(label) == inside
