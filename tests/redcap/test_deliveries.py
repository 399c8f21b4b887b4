"""A corpus of REDCap deliveries as data managers send them, through
`python -m sbrtlung.redcap check FOLDER` (its `main`), as the workflow's split and gate see them.

Each case starts from the hand-written delivery (`tests/validation/factory.py`) exported the way
REDCap exports it (records.csv: CSV, raw data, variable names; dictionary.csv: the project's
data dictionary), changes it in one way and checks the exit status and:

- for a delivery the split refuses (exit 1), the one line of standard error: the file, where
  (line, record, field) and why;
- for a delivery the gate judges, the findings it must contain: severity, rule, and where in
  REDCap (record, instrument, instance, field), with a fragment of the message;
- for a command that cannot run (exit 2), its one line.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sbrtlung.redcap import metadata, records
from sbrtlung.redcap.__main__ import main
from tests.validation.factory import DATA_CUT, STUDY_START, clean_rows, write_folder

Lines = list[dict[str, str]]
# (severity, rule, record, instrument, instance, field, a fragment of the message)
Expected = tuple[str, str, str, str, str, str, str]
PERIOD = ["--data-cut", DATA_CUT, "--study-start", STUDY_START]
PROGRAM = "python -m sbrtlung.redcap check: "


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    lines: Callable[[Lines], Lines | None] = lambda lines: None
    files: Callable[[Path], None] = lambda folder: None
    config: dict = field(default_factory=dict)
    argv: list[str] = field(default_factory=lambda: list(PERIOD))
    refusal: tuple[str, ...] = ()  # fragments of the one line of a refusal
    findings: tuple[Expected, ...] = ()


def _delivery(folder: Path) -> Path:
    raw = write_folder(clean_rows(), folder / "raw")
    delivery = folder / "redcap"
    delivery.mkdir()
    (delivery / "dictionary.csv").write_text(metadata.render(), encoding="utf-8")
    records.write_rows(records.export(records.read_exports(raw)), delivery / "records.csv")
    return delivery


def _read(path: Path) -> Lines:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(lines: Lines, path: Path, columns: list[str] | None = None) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(lines[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    path.write_text(out.getvalue(), encoding="utf-8")


def row(record: str, instrument: str = "", instance: str = "", **values: str):
    """Set values on the line of one record's instrument instance (the record row: no
    instrument)."""

    def change(lines: Lines) -> None:
        hits = [
            line
            for line in lines
            if line["record_id"] == record
            and line["redcap_repeat_instrument"] == instrument
            and line["redcap_repeat_instance"] == instance
        ]
        assert len(hits) == 1, (record, instrument, instance)
        hits[0].update(values)

    return change


def raw_bytes(name: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        path.write_bytes(change(path.read_bytes()))

    return mutate


def dictionary(name: str, column: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    """Change one cell of the data dictionary (the row of field `name`)."""

    def mutate(folder: Path) -> None:
        path = folder / "dictionary.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        at = rows[0].index(column)
        for r in rows[1:]:
            if r[0] == name:
                r[at] = change(r[at])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    return mutate


def only_records(*kept: str) -> Callable[[Lines], Lines]:
    return lambda lines: [line for line in lines if line["record_id"] in kept]


def shift_record(record: str, days: int) -> Callable[[Lines], None]:
    """Every date of a record moved by `days`, as REDCap's date shifting does."""

    def change(lines: Lines) -> None:
        for line in lines:
            if line["record_id"] != record:
                continue
            for name, value in line.items():
                if name.endswith("_date") and value:
                    line[name] = f"{pd.Timestamp(value) + pd.Timedelta(days=days):%Y-%m-%d}"

    return change


def without_columns(*names: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        lines = _read(folder / "records.csv")
        columns = [c for c in lines[0] if c not in names]
        _write([{c: line[c] for c in columns} for line in lines], folder / "records.csv")

    return mutate


def with_column(name: str, value: Callable[[dict[str, str]], str]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        lines = _read(folder / "records.csv")
        columns = [*list(lines[0])[:3], name, *list(lines[0])[3:]]  # after the repeat columns
        _write([line | {name: value(line)} for line in lines], folder / "records.csv", columns)

    return mutate


def with_unknown_columns(count: int) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / "records.csv"
        text = path.read_text(encoding="utf-8").split("\n")
        extra = [f"extra_{i:06d}" for i in range(count)]
        text[0] += "," + ",".join(extra)
        text[1:] = [line + "," * count if line else line for line in text[1:]]
        path.write_text("\n".join(text), encoding="utf-8")

    return mutate


def finding(severity, rule, record="", instrument="", instance="", field_="", words=""):
    return (severity, rule, record, instrument, instance, field_, words)


def _swap_sex_labels(text: str) -> str:
    return text.replace("female, Female", "female, @@").replace("male, Male", "male, Female")


CASES = [
    # Tracebacks before: now one line each.
    Case("instance_superscript_two", 1, lines=row("SCR-001", "lesions", "2",
         redcap_repeat_instance="\u00b2"),
         refusal=("records.csv: line 4 (record SCR-001)", "redcap_repeat_instance '\u00b2'",
                  "not a positive whole number")),
    Case("instance_arabic_indic_digit", 1, lines=row("SCR-001", "sbrt", "1",
         redcap_repeat_instance="\u0661"),
         refusal=("(record SCR-001)", "not a positive whole number")),
    Case("instance_zero", 1, lines=row("SCR-003", "labs", "3", redcap_repeat_instance="0"),
         refusal=("(record SCR-003)", "'0' is not a positive whole number")),
    Case("dictionary_cut_off_mid_line", 1,
         files=raw_bytes("dictionary.csv", lambda data: data[: data.index(b"pt_sex") + 20]),
         refusal=("data dictionary", "columns, the header 18", "cut off")),
    Case("dictionary_cut_off_inside_quotes", 1,
         files=raw_bytes("dictionary.csv", lambda data: data[: data.index(b'"') + 5]),
         refusal=("data dictionary", "unreadable CSV at line", "cut off")),
    Case("records_a_single_line_break", 1, files=raw_bytes("records.csv", lambda data: b"\n"),
         refusal=("records.csv: empty file, no header (its first line is blank)",)),
    Case("records_empty", 1, files=raw_bytes("records.csv", lambda data: b""),
         refusal=("records.csv: empty file, no header",)),
    # Silently accepted before.
    Case("data_access_group_export_of_one_site", 1,
         lines=only_records("SCR-001", "SCR-002", "SCR-003"),
         config={"sites": {"S01": None, "S02": None}},
         findings=(finding("FATAL", "site_missing", "", "screening", "", "scr_site_id",
                           "S02 (1 of 2 sites)"),)),
    Case("data_access_group_export_declared_partial", 0,
         lines=only_records("SCR-001", "SCR-002", "SCR-003"),
         config={"sites": {"S01": None, "S02": None}, "partial_delivery": True},
         findings=(finding("WARN", "site_missing", "", "screening", "", "scr_site_id",
                           "partial_delivery"),)),
    Case("site_not_of_the_study", 1, config={"sites": {"S01": None}},
         findings=(finding("FATAL", "site_unknown", "SCR-004", "screening", "", "scr_site_id",
                           "the study's sites are S01"),)),
    Case("fewer_patients_than_the_previous_cut", 1, lines=only_records("SCR-001", "SCR-002"),
         config={"previous_patients": "PREVIOUS"},
         findings=(finding("FATAL", "patient_missing", "", "patients", "", "scr_patient_id",
                           "S01-002, S02-001 (2 of 3 patients of the previous cut"),)),
    Case("dates_shifted_within_the_period", 1, lines=shift_record("SCR-004", -30),
         config={"sites": {"S01": None, "S02": {"first_screening": "2021-04-15"}}},
         findings=tuple(
             finding("FATAL", "outside_site_period", "SCR-004", instrument, instance, name,
                     "before the first screening of site S02, 2021-04-15 (config sites)")
             for instrument, instance, name in (
                 ("screening", "", "scr_screening_date"),
                 ("patients", "", "pt_enrollment_date"),
                 ("sbrt", "1", "rt_start_date"),
             ))),
    Case("dates_shifted_out_of_the_period", 1, lines=shift_record("SCR-001", -200),
         findings=(finding("FATAL", "before_study_start", "SCR-001", "screening", "",
                           "scr_screening_date", f"study start {STUDY_START}"),)),
    Case("screening_after_the_sites_last_contact", 0,
         lines=row("SCR-002", scr_screening_date="2022-10-01"),
         findings=(finding("WARN", "screening_after_site_contact", "SCR-002", "screening", "",
                           "scr_screening_date", "after the last contact of site S01, "
                           "2022-09-01"),)),
    Case("choice_labels_swapped", 0,
         files=dictionary("pt_sex", metadata.CHOICES, _swap_sex_labels),
         findings=(finding("WARN", "choice_label", "", "", "", "",
                           "field pt_sex code male: the dictionary's label 'Female', the "
                           "eCRF's 'Male'"),
                   finding("WARN", "choice_label", "", "", "", "",
                           "field pt_sex code female: the dictionary's label '@@'"))),
    # False refusals before.
    Case("no_repeat_columns_and_no_repeating_data", 1, lines=only_records("SCR-002"),
         files=without_columns("redcap_repeat_instrument", "redcap_repeat_instance"),
         findings=(finding("FATAL", "empty_export", "", "patients", "", "",
                           "no data row"),)),
    Case("placeholder_action_tag", 0,
         files=dictionary("pt_age", "Field Annotation", lambda a: a + ' @PLACEHOLDER="e.g. 67"')),
    Case("hidden_survey_action_tag", 0,
         files=dictionary("scr_eligible", "Field Annotation", lambda a: "@HIDDEN-SURVEY " + a)),
    Case("several_neutral_action_tags", 0,
         files=dictionary("ae_term", "Field Annotation",
                          lambda a: f"@READONLY-SURVEY {a} @PLACEHOLDER='choose one' @NOMISSING")),
    Case("data_changing_action_tag", 1,
         files=dictionary("pt_ecog", "Field Annotation", lambda a: a + " @DEFAULT='0'"),
         refusal=("edited after it was generated", "field pt_ecog has another annotation")),
    Case("data_access_group_column_of_a_full_export", 0,
         files=with_column("redcap_data_access_group", lambda line: "site_01")),
    # Messages that name the cause and the place.
    Case("records_semicolon_separated", 1,
         files=raw_bytes("records.csv", lambda data: data.replace(b",", b";")),
         refusal=("no record_id column", "semicolon-separated")),
    Case("records_tab_separated", 1,
         files=raw_bytes("records.csv", lambda data: data.replace(b",", b"\t")),
         refusal=("no record_id column", "tab-separated")),
    Case("records_with_a_second_byte_order_mark", 1,
         files=raw_bytes("records.csv", lambda data: b"\xef\xbb\xbf\xef\xbb\xbf" + data),
         refusal=("no record_id column", "second byte-order mark")),
    Case("dictionary_semicolon_separated", 1,
         files=raw_bytes("dictionary.csv", lambda data: data.replace(b",", b";")),
         refusal=("not a REDCap data dictionary", "semicolon-separated")),
    Case("dictionary_with_a_second_byte_order_mark", 1,
         files=raw_bytes("dictionary.csv", lambda data: "\ufeff\ufeff".encode() + data),
         refusal=("not a REDCap data dictionary", "second byte-order mark")),
    Case("oversized_cell", 1, lines=row("SCR-003", "adverse_events", "1", ae_term="x" * 200_000),
         refusal=("(record SCR-003)", "a cell longer than 131,072 characters")),
    Case("twenty_thousand_unknown_fields", 1, files=with_unknown_columns(20_000),
         refusal=("extra_000000, extra_000001", "extra_000009 and 19990 more")),
    Case("nul_bytes_in_a_cell", 1, lines=row("SCR-001", pt_age="6\x008"),
         refusal=("line 2 (record SCR-001): NUL bytes in pt_age",)),
    Case("record_without_its_record_row", 1, lines=lambda lines: [
         line for line in lines
         if not (line["record_id"] == "SCR-004" and not line["redcap_repeat_instrument"])],
         refusal=("record SCR-004: repeating rows but no row of the record itself",)),
    Case("records_not_utf8", 1,
         files=raw_bytes("records.csv", lambda data: data.decode().encode("utf-16")),
         refusal=("records.csv: not UTF-8 text",)),
    Case("records_is_a_folder", 1,
         files=lambda folder: ((folder / "records.csv").unlink(), (folder / "records.csv").mkdir()),
         refusal=("records.csv: a folder, not a file",)),
    Case("dictionary_missing", 1, files=lambda folder: (folder / "dictionary.csv").unlink(),
         refusal=("dictionary.csv: no such file",)),
    # Identifiers with a format; formulas refused wherever they appear.
    Case("formula_as_ae_id", 1,
         lines=row("SCR-001", "adverse_events", "1", ae_id="=cmd|' /C calc'!A0"),
         refusal=("line 15 (record SCR-001): ae_id starts like a spreadsheet formula",)),
    Case("formula_as_record_name", 1, lines=lambda lines: [
         line | {"record_id": "@SUM(1+1)"} if line["record_id"] == "SCR-002" else line
         for line in lines],
         refusal=("(record @SUM(1+1)): record_id starts like a spreadsheet formula",)),
    Case("ae_id_with_a_space", 1, lines=row("SCR-003", "adverse_events", "1", ae_id="AE 1"),
         findings=(finding("FATAL", r"str_matches('^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$')",
                           "SCR-003", "adverse_events", "1", "ae_id",
                           "does not have the required form"),)),
    Case("screening_number_with_a_slash", 1,
         lines=lambda lines: [line | {"record_id": "SCR/002"} if line["record_id"] == "SCR-002"
                              else line for line in lines],
         findings=(finding("FATAL", r"str_matches('^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$')",
                           "SCR/002", "screening", "", "record_id", "required form"),)),
    Case("negative_lab_value", 1, lines=row("SCR-003", "labs", "2", lab_value="-5"),
         findings=(finding("FATAL", "greater_than_or_equal_to(0)", "SCR-003", "labs", "2",
                           "lab_value", "below the minimum 0"),)),
    # Findings located in REDCap terms.
    Case("child_in_an_adult_trial", 1, lines=row("SCR-001", pt_age="7"),
         findings=(finding("FATAL", "in_range(18, 100)", "SCR-001", "patients", "", "pt_age",
                           "[REDCap: record SCR-001, instrument patients, field pt_age]"),)),
    Case("grade_six_adverse_event", 1, lines=row("SCR-003", "adverse_events", "1", ae_grade="6"),
         findings=(finding("FATAL", "in_range(1, 5)", "SCR-003", "adverse_events", "1",
                           "ae_grade", "instance 1"),)),
    Case("scan_after_the_data_cut", 1, lines=row("SCR-001", "imaging", "8",
         img_assessment_date="2023-03-01"),
         findings=(finding("FATAL", "after_data_cut", "SCR-001", "imaging", "8",
                           "img_assessment_date", f"data cut {DATA_CUT}"),)),
    # What the command needs to run.
    Case("no_data_cut", 2, argv=["--study-start", STUDY_START],
         refusal=("data_cut is required for real exports",)),
    Case("no_study_start", 2, argv=["--data-cut", DATA_CUT],
         refusal=("study_start is required for real exports",)),
    Case("clean_delivery", 0),
]  # fmt: skip


def _run(case: Case, tmp_path: Path, capsys) -> tuple[int, list[str], pd.DataFrame]:
    folder = _delivery(tmp_path)
    lines = _read(folder / "records.csv")
    changed = case.lines(lines)
    _write(changed if changed is not None else lines, folder / "records.csv", list(lines[0]))
    case.files(folder)
    argv = ["check", str(folder), *case.argv, "--findings", str(tmp_path / "findings.csv")]
    if case.config:
        settings = dict(case.config)
        if settings.get("previous_patients") == "PREVIOUS":
            settings["previous_patients"] = str(tmp_path / "raw" / "patients.csv")
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(settings))
        argv += ["--config", str(tmp_path / "config.yaml")]
    capsys.readouterr()
    status = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    found = tmp_path / "findings.csv"
    findings = pd.read_csv(found, dtype=str, keep_default_na=False) if found.exists() else None
    return status, err, findings


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_delivery(tmp_path, capsys, case):
    status, err, findings = _run(case, tmp_path, capsys)
    assert status == case.status, err
    if case.refusal:
        assert len(err) == 1 and err[0].startswith(PROGRAM), err
        for words in case.refusal:
            assert words in err[0], (words, err[0][:2000])
        assert len(err[0]) < 3000
        return
    assert findings is not None, err
    where = ["severity", "rule", "redcap_record", "redcap_instrument", "redcap_instance"]
    for *place, name, words in case.findings:
        hit = findings[(findings[where] == place).all(axis=1) & (findings["redcap_field"] == name)]
        assert len(hit), (place, name, findings[[*where, "redcap_field"]].to_string())
        assert hit["message"].str.contains(words, regex=False).any(), (words, hit["message"])
    if case.status == 0 and not case.findings:
        assert findings.empty, findings.to_string()


def test_corpus_has_forty_deliveries():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


def test_an_unexpected_error_ends_in_one_line_naming_the_file(tmp_path, capsys, monkeypatch):
    folder = _delivery(tmp_path)

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(records, "split", broken)
    status = main(["check", str(folder), *PERIOD])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert str(folder / "records.csv") in err[0] and "KeyError" in err[0]
