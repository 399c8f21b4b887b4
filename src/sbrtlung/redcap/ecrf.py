"""The study's eCRF as REDCap fields, derived from the raw-export contract.

One REDCap record is one screened patient; its record name is the screening log number. The
nine exports are the nine instruments, in the contract's order: screening, patients and
follow_up once per record, the other six repeating (one instance per row). Every contract
column is carried by exactly one field, whose annotation names it (`@SBRTLUNG=file.column`):

- a column is its own field, named `<form prefix>_<column>` so that names are unique across
  the project (`rt_end_date` of sbrt, `ae_end_date` of adverse_events);
- the record carries what a REDCap record has once: `screening_id` is the record ID, the
  `patient_id` of the eight exports after screening is the screening form's patient ID, and the
  enrolling site of `patients` is the screening site.

Types, ranges, code lists and whether a value is required are read from the pandera models
(`schemas/raw.py`), labels from `schemas/labels.py`, so the eCRF follows the contract when it
changes. The conditional rules of the gate that REDCap can show as branching logic are in
`BRANCHING`, each under the id of the gate rule it mirrors.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache

import pandera.pandas as pa

from sbrtlung.schemas.labels import CODE_LABELS, COLUMN_LABELS
from sbrtlung.schemas.raw import EXPORTS

RECORD_ID = "record_id"
REPEATING = ("lesions", "sbrt", "imaging", "progression", "adverse_events", "labs")
PREFIXES = {
    "screening": "scr",
    "patients": "pt",
    "lesions": "les",
    "sbrt": "rt",
    "imaging": "img",
    "progression": "prog",
    "adverse_events": "ae",
    "labs": "lab",
    "follow_up": "fu",
}
# Contract columns carried by the record rather than by a field of their own instrument.
CARRIED = {
    **{
        (stem, "patient_id"): ("screening", "patient_id") for stem in EXPORTS if stem != "screening"
    },
    ("patients", "site_id"): ("screening", "site_id"),
}
# Conditional rules REDCap can show as branching logic: column -> (controlling column, code
# that shows it, whether it is then required, the gate rule it mirrors).
BRANCHING = {
    ("screening", "exclusion_reason"): (
        "eligible",
        "no",
        True,
        "exclusion_reason_iff_not_eligible",
    ),
    ("screening", "patient_id"): ("eligible", "yes", False, "patient_id_only_if_eligible"),
    ("imaging", "confirmation"): ("local_status", "failure", True, "confirmation_iff_failure"),
    ("follow_up", "death_date"): ("vital_status", "dead", True, "death_date_iff_dead"),
    ("follow_up", "cause_of_death"): ("vital_status", "dead", True, "cause_of_death_iff_dead"),
}
MARKER = "@SBRTLUNG"
VERSION_MARKER = "@SBRTLUNG-VERSION"
RADIO_MAX_CHOICES = 5  # longer code lists are drop-down menus
_SAFE_CODE = re.compile(r"[A-Za-z0-9_]+")
_BOUNDS = {"min_value": max, "max_value": min}


class RedcapError(Exception):
    """A REDCap file or delivery this pipeline cannot use; the message says why and what to do."""


@dataclass(frozen=True)
class Field:
    """One REDCap field and the contract columns it carries (first: its own column)."""

    name: str
    form: str
    columns: tuple[tuple[str, str], ...]
    field_type: str  # text, radio or dropdown
    label: str
    note: str
    choices: tuple[tuple[str, str], ...] = ()  # (REDCap code, label)
    validation: str = ""  # date_ymd, integer, number
    minimum: str = ""
    maximum: str = ""
    required: bool = False
    branching: str = ""

    @property
    def annotation(self) -> str:
        return " ".join(f"{MARKER}={stem}.{column}" for stem, column in self.columns)

    @property
    def codes(self) -> dict[str, str]:
        """REDCap code -> contract code of a choice field."""
        return dict(zip((c for c, _ in self.choices), self.contract_codes, strict=True))

    @property
    def contract_codes(self) -> tuple[str, ...]:
        return _contract_codes(*self.columns[0])


def field_name(stem: str, column: str) -> str:
    """The REDCap variable of a contract column (its own field or the one carrying it)."""
    stem, column = CARRIED.get((stem, column), (stem, column))
    if (stem, column) == ("screening", "screening_id"):
        return RECORD_ID
    prefix = PREFIXES[stem] + "_"
    return column if column.startswith(prefix) else prefix + column


def redcap_code(code: str) -> str:
    """The code REDCap stores for a contract code: the same code where REDCap allows it (letters,
    digits, underscores), else a spelled-out form (`10^9/L` -> `10e9_per_l`)."""
    if _SAFE_CODE.fullmatch(code):
        return code
    spelled = code.replace("^", "e").replace("/", "_per_").lower()
    return re.sub(r"[^a-z0-9_]+", "_", spelled).strip("_")


@cache
def fields() -> tuple[Field, ...]:
    """Every field of the project, in instrument order; the record ID first."""
    out = []
    for stem, model in EXPORTS.items():
        for column, spec in model.to_schema().columns.items():
            if (stem, column) in CARRIED:
                continue
            carried = tuple(key for key, source in CARRIED.items() if source == (stem, column))
            out.append(_field(stem, column, spec, ((stem, column), *carried)))
    names = [f.name for f in out]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise RedcapError(f"two contract columns map to one REDCap field: {duplicated}")
    return tuple(out)


def _field(stem: str, column: str, spec: pa.Column, columns: tuple) -> Field:
    dtype = str(spec.dtype)
    codes = _contract_codes(stem, column)
    condition = BRANCHING.get((stem, column))
    base = {
        "name": field_name(stem, column),
        "form": stem,
        "columns": columns,
        "label": COLUMN_LABELS[stem][column],
        "note": _note(spec.description or "", COLUMN_LABELS[stem][column]),
        "required": not spec.nullable or bool(condition and condition[2]),
        "branching": _branching(stem, condition),
    }
    if codes:
        choices = tuple((redcap_code(code), CODE_LABELS[code]) for code in codes)
        kind = "radio" if len(codes) <= RADIO_MAX_CHOICES else "dropdown"
        return Field(**base, field_type=kind, choices=choices)
    validation = {"datetime64[ns]": "date_ymd", "Int64": "integer", "float64": "number"}
    low, high = _limits(spec, integer=dtype == "Int64")
    return Field(
        **base,
        field_type="text",
        validation=validation.get(dtype, ""),
        minimum=low,
        maximum=high,
    )


def _note(description: str, label: str) -> str:
    """The field note: the contract's description, unless the label already says it."""
    text = description.replace("`", "")
    return "" if text.lower() == label.lower() else text


def _branching(stem: str, condition: tuple | None) -> str:
    if condition is None:
        return ""
    column, code, _, _ = condition
    return f"[{field_name(stem, column)}] = '{redcap_code(code)}'"


def _limits(spec: pa.Column, integer: bool) -> tuple[str, str]:
    """The tightest bounds of the column's checks that are errors (not warnings), as text.

    Any check with `min_value` / `max_value` statistics counts (ge, gt, le, lt, in_range), so
    limits added to the models reach the eCRF without a change here. REDCap's limits include
    the bound; the gate applies a strict one exactly.
    """
    found: dict[str, float] = {}
    for check in spec.checks:
        if getattr(check, "raise_warning", False):
            continue
        for key, tighter in _BOUNDS.items():
            value = (check.statistics or {}).get(key)
            if value is not None:
                found[key] = tighter(found[key], value) if key in found else value
    return tuple(_number(found.get(key), integer) for key in _BOUNDS)


def _number(value: float | None, integer: bool) -> str:
    if value is None:
        return ""
    if integer or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@cache
def _contract_codes(stem: str, column: str) -> tuple[str, ...]:
    for check in EXPORTS[stem].to_schema().columns[column].checks:
        if check.name == "isin":
            return tuple(check.statistics["allowed_values"])
    return ()


def forms() -> tuple[str, ...]:
    """The instruments, in order."""
    return tuple(EXPORTS)


@cache
def form_fields(form: str) -> tuple[Field, ...]:
    return tuple(f for f in fields() if f.form == form)


@cache
def by_name() -> dict[str, Field]:
    return {f.name: f for f in fields()}


def structure(field: Field) -> dict:
    """What a project must keep for the records to mean what the contract says: the parts of a
    field that are not human text (labels and notes may be edited or translated in REDCap)."""
    return {
        "name": field.name,
        "form": field.form,
        "type": field.field_type,
        "codes": [code for code, _ in field.choices],
        "validation": field.validation,
        "annotation": field.annotation,
    }


@cache
def version() -> str:
    """A short fingerprint of everything in the eCRF but its human text: changing a name, form,
    type, code, range, requirement or branching gives a new version."""
    content = [
        {
            **structure(f),
            "range": [f.minimum, f.maximum],
            "required": f.required,
            "branching": f.branching,
        }
        for f in fields()
    ]
    text = json.dumps({"repeating": REPEATING, "fields": content}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
