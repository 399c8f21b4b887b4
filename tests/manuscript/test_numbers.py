"""No result is typed in the paper: the sources hold only method constants, the rendered prose
only numbers that the results gave."""

from pathlib import Path

import pytest

from sbrtlung.manuscript.numbers import typed_numbers, untraced_numbers

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "manuscript").glob("*.qmd"))


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_no_number_is_typed_in_the_sources(source):
    assert typed_numbers(source.read_text(encoding="utf-8")) == []


def test_typed_numbers_are_found():
    text = (
        "---\ntitle: x\n---\nThe rate was 95.5% ({{< var lcr_2y.text >}}, @fig-a, [@cox1972])"
        " with alpha/beta 10 Gy and 12 patients.\n::: {#tbl-x}\n"
    )
    assert typed_numbers(text) == ["95.5", "12"]


def test_untraced_numbers_in_rendered_prose():
    variables = "lcr_2y:\n  text: 95.5% (95% CI 92.1-98.6)\nn_enrolled: '100'\n"
    rendered = (
        "<p>Rate 95.5% (95% CI 92.1-98.6) in 100 patients, "
        '<a href="#tbl-x">Table 3</a> <span class="citation">(Cox 1972)</span>.</p>'
        "<table><tr><td>77.7</td></tr></table><p>But 41 typed.</p>"
        '<div id="refs">1972</div>'
    )
    assert untraced_numbers(rendered, variables) == ["41"]
