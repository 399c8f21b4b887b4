"""Every row of the generated REDCap data dictionary against REDCap's documented rules.

The rules, and where they are documented:

- The 18 columns, their names and order: the data dictionaries REDCap writes, as kept in the
  test data of REDCapR (OuhscBbmc/REDCapR, inst/test-data/projects/*/dictionary.csv, e.g.
  repeating-instruments, validation-types-1, clinical-trial-1), and the column-by-column
  reference of the REDCap knowledge base by Bas de Veer built from REDCap's documentation
  (bdeveer/REDCap_KB_RAG, kb/RC-FD-08, sections 4-5).
- The record ID is the first field of the first instrument and a `text` field (RC-FD-08 4.1;
  Vanderbilt's "Creating a Data Dictionary in REDCap": "the first variable on the first form
  must be the record identifier").
- Variable names: a lower-case letter, then lower-case letters, digits and underscores
  (REDCapR `validate_field_names`, regex `^[a-z][0-9a-z_]*$`, R/validate.R), unique in the
  project, at most 26 characters recommended (RC-FD-08 5.1), and not a name REDCap's records
  export uses itself (`redcap_*`, `<form>_complete`; the exports in REDCapR's test data).
- Form names: the same characters; each instrument's rows contiguous (RC-FD-08 5.2).
- Field types from REDCap's list (RC-FD-08 5.4; REDCapR validation-types-1 dictionary).
- Choices `code, label | code, label` for dropdown, radio and checkbox fields only; codes
  numeric or alphanumeric without commas (RC-FD-08 5.5), here letters, digits and underscores
  (underscores in codes are supported since REDCap 5.9.1: vubiostat/redcapAPI pull request 1),
  unique within the field.
- Text validation only on text fields, from REDCap's validation names (REDCapR
  validation-types-1 dictionary); min and max only with a validation and written in its format
  (RC-FD-08 5.7-5.8).
- `Identifier?` and `Required Field?` are `y` or empty; custom alignment one of LH, LV, RH, RV
  or empty; matrix columns empty unless radio/checkbox (RC-FD-08 5.9, 5.11, 5.12, 5.14).
- Branching logic names existing fields in square brackets and quotes codes with single
  quotes, never double (RC-FD-08 5.10).
- A field label on every field (RC-FD-08 2, mandatory columns A, B, D, E).
"""

import csv
import datetime as dt
import io
import re

import pytest

from sbrtlung.redcap import ecrf, metadata
from sbrtlung.schemas.raw import EXPORTS

FIELD_TYPES = {
    "text",
    "notes",
    "dropdown",
    "radio",
    "checkbox",
    "calc",
    "file",
    "descriptive",
    "slider",
    "yesno",
    "truefalse",
    "sql",
}
CHOICE_TYPES = {"dropdown", "radio", "checkbox"}
VALIDATIONS = {
    "date_dmy",
    "date_mdy",
    "date_ymd",
    "datetime_dmy",
    "datetime_mdy",
    "datetime_ymd",
    "datetime_seconds_dmy",
    "datetime_seconds_mdy",
    "datetime_seconds_ymd",
    "email",
    "integer",
    "alpha_only",
    "number",
    "number_1dp",
    "number_2dp",
    "number_3dp",
    "number_4dp",
    "phone",
    "time",
    "zipcode",
}
NAME = re.compile(r"[a-z][a-z0-9_]*")
CODE = re.compile(r"[A-Za-z0-9_]+")
REFERENCE = re.compile(r"\[([^\]]*)\]")


def _rows() -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(metadata.render(), newline=""))
    header, *rows = list(reader)
    assert tuple(header) == metadata.HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


ROWS = _rows()


def _choices(text: str) -> list[tuple[str, str]]:
    return [tuple(part.strip() for part in choice.split(",", 1)) for choice in text.split("|")]


def _is_value(text: str, validation: str) -> bool:
    try:
        if validation == "integer":
            int(text)
        elif validation.startswith("number"):
            float(text)
        elif validation == "date_ymd":
            dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def test_header_is_redcaps_18_columns():
    assert len(metadata.HEADER) == 18
    assert metadata.HEADER[:2] == ("Variable / Field Name", "Form Name")
    assert metadata.HEADER[-1] == "Field Annotation"
    assert metadata.render().splitlines()[0].startswith("Variable / Field Name,Form Name,")


def test_record_id_is_the_first_field_of_the_first_instrument():
    first = ROWS[0]
    assert first["Variable / Field Name"] == ecrf.RECORD_ID
    assert first["Form Name"] == next(iter(EXPORTS)) and first["Field Type"] == "text"


def test_field_and_form_names():
    names = [r["Variable / Field Name"] for r in ROWS]
    assert len(names) == len(set(names))
    reserved = {f"{form}_complete" for form in EXPORTS}
    forms = [r["Form Name"] for r in ROWS]
    for name in names:
        assert NAME.fullmatch(name) and len(name) <= 26, name
        assert not name.startswith("redcap_") and name not in reserved, name
    for form in forms:
        assert NAME.fullmatch(form), form
    # each instrument's rows are contiguous and the instruments are the nine exports, in order
    assert [f for i, f in enumerate(forms) if i == 0 or forms[i - 1] != f] == list(EXPORTS)


@pytest.mark.parametrize("row", ROWS, ids=[r["Variable / Field Name"] for r in ROWS])
def test_every_row_follows_redcaps_rules(row):
    kind, validation = row["Field Type"], row["Text Validation Type OR Show Slider Number"]
    assert kind in FIELD_TYPES
    assert row["Field Label"].strip()
    choices = row["Choices, Calculations, OR Slider Labels"]
    if kind in CHOICE_TYPES:
        pairs = _choices(choices)
        codes = [code for code, _ in pairs]
        assert all(CODE.fullmatch(code) for code in codes), codes
        assert len(codes) == len(set(codes)) and all(label for _, label in pairs)
    else:
        assert choices == ""
    low, high = row["Text Validation Min"], row["Text Validation Max"]
    if validation:
        assert kind == "text" and validation in VALIDATIONS
    for bound in (low, high):
        assert not bound or (validation and _is_value(bound, validation)), (bound, validation)
    if low and high:
        assert float(low) <= float(high)
    assert row["Identifier?"] in ("", "y") and row["Required Field?"] in ("", "y")
    assert row["Custom Alignment"] in ("", "LH", "LV", "RH", "RV")
    assert row["Matrix Group Name"] == row["Matrix Ranking?"] == ""
    logic = row["Branching Logic (Show field only if...)"]
    assert '"' not in logic
    names = {r["Variable / Field Name"] for r in ROWS}
    assert all(reference in names for reference in REFERENCE.findall(logic)), logic


def test_branching_compares_a_field_with_one_of_its_codes():
    for row in ROWS:
        logic = row["Branching Logic (Show field only if...)"]
        if not logic:
            continue
        field, code = re.fullmatch(r"\[(\w+)\] = '(\w+)'", logic).groups()
        controlling = next(r for r in ROWS if r["Variable / Field Name"] == field)
        assert code in [
            c for c, _ in _choices(controlling["Choices, Calculations, OR Slider Labels"])
        ]
