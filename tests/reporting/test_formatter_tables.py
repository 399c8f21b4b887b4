"""The one formatter (sbrtlung.reporting.formatter) and the one table module
(sbrtlung.reporting.tables): every kind of number, the typography, the writers."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from sbrtlung.reporting import formatter as f
from sbrtlung.reporting.tables import (
    Table,
    markdown_table,
    read_json,
    write_csv,
    write_json,
    write_table,
)

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


def test_narrow_markdown_tables_keep_natural_widths():
    frame = pd.DataFrame({"Term": ["Cough"], "Patients": ["3 (4.5%)"]})
    assert markdown_table(frame) == "| Term | Patients |\n| :-- | --: |\n| Cough | 3 (4.5%) |\n"


def test_wide_markdown_tables_get_relative_widths_from_their_content():
    """pandoc gives a pipe table relative column widths from its separator line once a row is
    wider than the text (72 columns): the long column gets the larger share."""
    frame = pd.DataFrame(
        {"Item": ["Type"], "Description": ["Elastic-net Cox, penalty chosen by inner CV " * 3]}
    )
    text = markdown_table(frame, "ll")
    rule = text.splitlines()[1]
    first, second = (len(cell.strip()) for cell in rule.strip("|").split("|"))
    assert second > 5 * first
    assert markdown_table(frame, "ll", fit=False).splitlines()[1] == "| :-- | :-- |"


def test_a_code_name_is_measured_in_the_wider_monospace_font():
    """A rule name set as code keeps a column wide enough for it in monospace type, so it
    neither breaks nor runs into the next column."""
    name = "`exclusion_reason_iff_not_eligible`"
    frame = pd.DataFrame({"Rule": [name], "Description": ["An exclusion reason is given " * 6]})
    rule = markdown_table(frame, "ll").splitlines()[1]
    code_width = len(rule.strip("|").split("|")[0].strip()) + 1
    assert code_width >= math.ceil(len(name) + 0.3 * (len(name) - 2)) + 4


def test_markdown_table_caption_label_and_escaping():
    frame = pd.DataFrame({"a|b": ["x|y"], "c": [None]})
    text = markdown_table(frame, "lr", "A caption.", "tbl-demo")
    assert text.endswith("\nTable: A caption. {#tbl-demo}\n")
    assert "| a\\|b | c |" in text and "| x\\|y |  |" in text
    with pytest.raises(ValueError, match="one letter per column"):
        markdown_table(frame, "l")
    with pytest.raises(ValueError, match="needs a caption"):
        markdown_table(frame, "lr", label="tbl-demo")


def test_writers_are_deterministic_and_round_trip(tmp_path):
    frame = pd.DataFrame({"n": [1, 2], "label": ["a", "b"]})
    write_table(Table(frame, "| n |\n"), tmp_path / "t.csv", tmp_path / "t.md")
    assert (tmp_path / "t.csv").read_bytes() == b"n,label\n1,a\n2,b\n"
    assert (tmp_path / "t.md").read_text(encoding="utf-8") == "| n |\n"
    write_csv(frame, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "t.csv").read_bytes()
    path = tmp_path / "k.json"
    write_json({"b": np.float64(0.5), "a": [np.int64(3), math.nan], "c": True}, path)
    text = path.read_text()
    assert text == '{\n  "a": [\n    3,\n    null\n  ],\n  "b": 0.5,\n  "c": true\n}\n'
    assert read_json(path) == json.loads(text)
