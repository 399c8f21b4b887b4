"""The committed data dictionary is what the pandera models say (regenerate when it is not)."""

from pathlib import Path

from sbrtlung.validation.dictionary import render

ROOT = Path(__file__).resolve().parents[2]


def test_committed_dictionary_is_current():
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "run `python -m sbrtlung.validation.dictionary` and commit the result"
    )


def test_every_export_column_is_listed():
    text = render()
    for column in ("screening_id", "pack_years", "fractions_delivered", "cause_of_death", "AVAL"):
        assert f"`{column}`" in text
