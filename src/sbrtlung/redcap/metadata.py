"""The REDCap data dictionary of the eCRF: written from `ecrf.fields()`, and checked when it
comes back with a records export.

A REDCap data dictionary is a CSV file with REDCap's 18 columns, one row per field, the record
ID first. The record ID's annotation carries the eCRF version (`@SBRTLUNG-VERSION=...`), so a
dictionary downloaded from a REDCap project tells which version of the contract the project was
built from.
"""

import csv
import io
from pathlib import Path

from sbrtlung.redcap.ecrf import (
    MARKER,
    RECORD_ID,
    REPEATING,
    VERSION_MARKER,
    Field,
    RedcapError,
    fields,
    structure,
    version,
)

HEADER = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
REPEATING_HEADER = ("form_name", "custom_form_label")
# What the instance list of each repeating instrument shows (REDCap piping).
INSTANCE_LABELS = {
    "lesions": "[les_lesion_id] [les_lobe]",
    "sbrt": "[rt_lesion_id] [rt_start_date]",
    "imaging": "[img_lesion_id] [img_assessment_date]",
    "progression": "[prog_site] [prog_event_date]",
    "adverse_events": "[ae_id] [ae_term]",
    "labs": "[lab_timepoint] [lab_analyte]",
}


def row(field: Field) -> dict[str, str]:
    """The data dictionary row of one field."""
    annotation = field.annotation
    if field.name == RECORD_ID:
        annotation += f" {VERSION_MARKER}={version()}"
    return dict.fromkeys(HEADER, "") | {
        "Variable / Field Name": field.name,
        "Form Name": field.form,
        "Field Type": field.field_type,
        "Field Label": field.label,
        "Choices, Calculations, OR Slider Labels": " | ".join(
            f"{code}, {label}" for code, label in field.choices
        ),
        "Field Note": field.note,
        "Text Validation Type OR Show Slider Number": field.validation,
        "Text Validation Min": field.minimum,
        "Text Validation Max": field.maximum,
        "Branching Logic (Show field only if...)": field.branching,
        "Required Field?": "y" if field.required else "",
        "Field Annotation": annotation,
    }


def render() -> str:
    """The whole data dictionary as CSV text."""
    return _csv([HEADER, *([row(f)[h] for h in HEADER] for f in fields())])


def render_repeating() -> str:
    """The repeating instruments, as REDCap's API imports them (`repeatingFormsEvents`)."""
    return _csv([REPEATING_HEADER, *([form, INSTANCE_LABELS[form]] for form in REPEATING)])


def _csv(rows: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def read_text(path: str | Path, what: str) -> str:
    """A UTF-8 text file (a byte-order mark is dropped), or a RedcapError saying why not."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RedcapError(f"{what} {path}: no such file") from None
    except IsADirectoryError:
        raise RedcapError(f"{what} {path}: a folder, not a file") from None
    except OSError as error:
        raise RedcapError(f"{what} {path}: cannot be read ({error.strerror})") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise RedcapError(f"{what} {path}: not UTF-8 text; export it again as CSV") from None


def parse_csv(text: str, what: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise RedcapError(f"{what}: unreadable CSV ({error})") from None


def check(path: str | Path) -> None:
    """Refuse a data dictionary that is not this eCRF's current version, saying what it is.

    Labels and notes may differ (a project may translate them); names, instruments, types,
    codes, validation and annotations may not, since the records are read by them.
    """
    what = f"data dictionary {path}"
    rows = parse_csv(read_text(path, "data dictionary"), what)
    if not rows or tuple(rows[0]) != HEADER:
        raise RedcapError(
            f"{what}: not a REDCap data dictionary (its header is not REDCap's 18 columns)"
        )
    given = [dict(zip(HEADER, r, strict=False)) for r in rows[1:] if any(r)]
    annotations = [r.get("Field Annotation", "") for r in given]
    if not any(MARKER + "=" in a for a in annotations):
        raise RedcapError(
            f"{what}: not this study's eCRF (no field names a contract column with "
            f"{MARKER}=...); build the REDCap project from `python -m sbrtlung.redcap dictionary`"
        )
    found = _version(annotations[0] if annotations else "")
    if found != version():
        made = f"version {found}" if found else "an unversioned eCRF"
        raise RedcapError(
            f"{what}: made for {made} of the eCRF, and this pipeline reads version {version()}; "
            "the contract changed since the project was built. Write the current dictionary "
            "with `python -m sbrtlung.redcap dictionary`, upload it to the REDCap project, "
            "then export the records again"
        )
    differences = _differences(given)
    if differences:
        shown = "; ".join(differences[:5]) + ("; ..." if len(differences) > 5 else "")
        raise RedcapError(
            f"{what}: edited after it was generated ({shown}); the records cannot be read by "
            "the contract. Upload the generated dictionary to the project again"
        )


def _version(annotation: str) -> str:
    for word in annotation.split():
        if word.startswith(VERSION_MARKER + "="):
            return word.split("=", 1)[1]
    return ""


def _differences(given: list[dict[str, str]]) -> list[str]:
    expected = {f.name: structure(f) for f in fields()}
    found = {}
    for r in given:
        choices = r["Choices, Calculations, OR Slider Labels"].split("|")
        codes = [part.split(",", 1)[0].strip() for part in choices]
        found[r["Variable / Field Name"]] = {
            "name": r["Variable / Field Name"],
            "form": r["Form Name"],
            "type": r["Field Type"],
            "codes": [c for c in codes if c],
            "validation": r["Text Validation Type OR Show Slider Number"],
            "annotation": " ".join(
                w for w in r["Field Annotation"].split() if not w.startswith(VERSION_MARKER + "=")
            ),
        }
    out = [f"field {name} is missing" for name in expected if name not in found]
    out += [f"field {name} is not part of the eCRF" for name in found if name not in expected]
    for name, spec in expected.items():
        if name in found and found[name] != spec:
            parts = [key for key in spec if found[name][key] != spec[key]]
            out.append(f"field {name} has another {', '.join(parts)}")
    return out
