"""The one table module (sbrtlung.tables): Markdown tables and the writers."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from sbrtlung.tables import (
    Table,
    markdown_table,
    read_json,
    write_csv,
    write_json,
    write_table,
)

MINUS, DASH, TO = "\u2212", "\u2013", "\u00a0to\u00a0"


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
