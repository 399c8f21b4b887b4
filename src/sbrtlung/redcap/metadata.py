"""The REDCap data dictionary of the eCRF: written from `ecrf.fields()`, and checked when it
comes back with a records export.

A REDCap data dictionary is a CSV file with REDCap's 18 columns, one row per field, the record
ID first. The record ID's annotation carries the eCRF version (`@SBRTLUNG-VERSION=...`), so a
dictionary downloaded from a REDCap project tells which version of the contract the project was
built from.
"""

import csv
import io
import re
from pathlib import Path

from sbrtlung.redcap.ecrf import (
    MARKER,
    RECORD_ID,
    REPEATING,
    VERSION_MARKER,
    Field,
    RedcapError,
    by_name,
    fields,
    structure,
    version,
)
from sbrtlung.validation.findings import Finding

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
CHOICES = "Choices, Calculations, OR Slider Labels"
RULE_DESCRIPTIONS = {
    "choice_label": "a choice label of the REDCap data dictionary is not the eCRF's",
}
# Action tags that change how a field looks, never what it stores: a project may add them
# beside the study's own annotation (`@SBRTLUNG=...`). Any other tag (@DEFAULT, @CALCTEXT,
# @SETVALUE, @NOW, ...) can write data and makes the dictionary another eCRF.
NEUTRAL_TAGS = frozenset(
    {
        "@PLACEHOLDER",
        "@HIDDEN",
        "@HIDDEN-SURVEY",
        "@HIDDEN-FORM",
        "@HIDDEN-APP",
        "@HIDDEN-PDF",
        "@READONLY",
        "@READONLY-SURVEY",
        "@READONLY-FORM",
        "@READONLY-APP",
        "@HIDEBUTTON",
        "@NOMISSING",
        "@FORCE-MINMAX",
        "@INLINE",
    }
)
# An action tag with its argument, if any: @TAG, @TAG=word, @TAG="text", @TAG='text'.
_TAG = re.compile(r"""(@[A-Za-z][A-Za-z0-9_-]*)(=("[^"]*"|'[^']*'|\S*))?""")
_SEPARATORS = {";": "semicolon", "\t": "tab", "|": "pipe"}
_BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")  # a second BOM, as text or as Latin-1 mojibake
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
        CHOICES: " | ".join(f"{code}, {label}" for code, label in field.choices),
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
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return list(reader)
    except csv.Error as error:
        raise RedcapError(
            f"{what}: unreadable CSV at line {reader.line_num} ({error}); a file cut off "
            "(an interrupted download?) or edited by hand: download it again"
        ) from None


def separator_hint(columns: list[str], first: str) -> str:
    """Why a header does not start with `first` when the file was saved the wrong way: another
    separator, or a second byte-order mark; else ""."""
    if not columns:
        return ""
    head = columns[0]
    if head.startswith(_BOMS):
        return (
            "the file starts with a second byte-order mark (saved again as 'UTF-8 with BOM' "
            "by another program?); export it from REDCap again and use it as it is"
        )
    if len(columns) == 1:
        found = {name: head.count(char) for char, name in _SEPARATORS.items()}
        name, count = max(found.items(), key=lambda item: item[1])
        if count and first in head:
            return (
                f"the file is {name}-separated (a spreadsheet saved it with its own separator?); "
                "REDCap writes commas: export it from REDCap again and use it as it is"
            )
    return ""


def check(path: str | Path) -> list[Finding]:
    """Refuse a data dictionary that is not this eCRF's current version, saying what it is;
    return a WARN finding for each choice label that differs from the eCRF's.

    Labels and notes may differ (a project may translate them), and action tags that change
    only how a field looks may be added; names, instruments, types, codes, validation and
    the study's annotations may not, since the records are read by them. A choice label that
    differs is reported, since a label swapped between two codes shows data entry the wrong
    answer while the analysis reads the code.
    """
    what = f"data dictionary {path}"
    rows = parse_csv(read_text(path, "data dictionary"), what)
    if not rows or tuple(rows[0]) != HEADER:
        hint = separator_hint(rows[0] if rows else [], HEADER[0])
        raise RedcapError(
            f"{what}: not a REDCap data dictionary (its header is not REDCap's 18 columns)"
            + (f"; {hint}" if hint else "")
        )
    for line, r in enumerate(rows[1:], start=2):
        if any(r) and len(r) != len(HEADER):
            raise RedcapError(
                f"{what}: row {line - 1} (field {r[0]!r}) has {len(r)} columns, the header "
                f"{len(HEADER)}; the file is cut off or damaged (an interrupted download?): "
                "download the data dictionary again"
            )
    given = [dict(zip(HEADER, r, strict=True)) for r in rows[1:] if any(r)]
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
    return _label_findings(Path(path).name, given)


def _label_findings(file: str, given: list[dict[str, str]]) -> list[Finding]:
    """A WARN for every code whose label in the dictionary is not the eCRF's."""
    out = []
    for row, r in enumerate(given, start=1):
        field = by_name()[r["Variable / Field Name"]]
        labels = dict(_choices(r[CHOICES]))
        for code, label in field.choices:
            found = labels.get(code, label)
            if found != label:
                message = (
                    f"field {field.name} code {code}: the dictionary's label {found!r}, the "
                    f"eCRF's {label!r}; the analysis reads the code ({code}), so check that "
                    "what data entry shows means the same (a translation is fine, a label "
                    "swapped between codes is not)"
                )
                out.append(Finding("WARN", file, row, field.name, code, "choice_label", message))
    return out


def _choices(text: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a dictionary's choices cell: `code, label | code, label`."""
    pairs = []
    for part in text.split("|"):
        code, _, label = part.partition(",")
        if code.strip():
            pairs.append((code.strip(), label.strip()))
    return pairs


def study_annotation(annotation: str) -> str:
    """The annotation as the study wrote it: the version marker and the action tags that do
    not change the data (NEUTRAL_TAGS) taken out, words single-spaced."""

    def keep(match: re.Match) -> str:
        tag = match[1].upper()
        return " " if tag in NEUTRAL_TAGS or tag == VERSION_MARKER else match[0]

    return " ".join(_TAG.sub(keep, annotation).split())


def _version(annotation: str) -> str:
    for word in annotation.split():
        if word.startswith(VERSION_MARKER + "="):
            return word.split("=", 1)[1]
    return ""


def _differences(given: list[dict[str, str]]) -> list[str]:
    expected = {f.name: structure(f) for f in fields()}
    found = {}
    for r in given:
        found[r["Variable / Field Name"]] = {
            "name": r["Variable / Field Name"],
            "form": r["Form Name"],
            "type": r["Field Type"],
            "codes": [code for code, _ in _choices(r[CHOICES])],
            "validation": r["Text Validation Type OR Show Slider Number"],
            "annotation": study_annotation(r["Field Annotation"]),
        }
    out = [f"field {name} is missing" for name in expected if name not in found]
    out += [f"field {name} is not part of the eCRF" for name in found if name not in expected]
    for name, spec in expected.items():
        if name in found and found[name] != spec:
            parts = [key for key in spec if found[name][key] != spec[key]]
            out.append(f"field {name} has another {', '.join(parts)}")
    return out
