"""A corpus of bad exports as EDC systems and spreadsheets produce them, through the command line.

Each case changes the clean hand-written delivery (`factory`) in one way, runs
`python -m sbrtlung.validation.gate` (its `main`) and checks the exit status and every finding
of the run: severity, file, row, column and rule, and a fragment of the message that tells the
data manager what to fix. Then the accepted variants of the same delivery (line ends, BOM,
quoting, column order) must give identical typed tables.
"""

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.exports import read_exports
from sbrtlung.validation.gate import main

from .factory import DATA_CUT, STUDY_START, Rows, clean_rows, lab_index, write_folder

# (severity, file, row, column, rule, a fragment of the message)
Expected = tuple[str, str, int, str, str, str]


@dataclass(frozen=True)
class Case:
    name: str
    expected: list[Expected]
    rows: Callable[[Rows], None] = lambda rows: None
    files: Callable[[Path], None] = lambda folder: None
    status: int = field(default=-1)  # -1: 1 when a finding is FATAL, else 0
    config: dict = field(default_factory=dict)  # written to a --config file when given


def cell(stem: str, index: int, **values: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[stem][index].update(values)

    return mutate


def lab(patient: str, timepoint: str, analyte: str, **values: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows["labs"][lab_index(rows, patient, timepoint, analyte)].update(values)

    return mutate


def lab_row(patient: str, timepoint: str, analyte: str) -> int:
    return lab_index(clean_rows(), patient, timepoint, analyte) + 1


def header_only(stem: str) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[stem] = []

    return mutate


def rewrite(stem: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / f"{stem}.csv"
        path.write_bytes(change(path.read_bytes()))

    return mutate


def replace_path(stem: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / f"{stem}.csv"
        path.unlink()
        make(path)

    return mutate


def add_column(path: Path, name: str) -> None:
    """An extra column (an identifier) with a value on every row."""
    with open(path, newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    records = [[*records[0], name], *([*record, "X"] for record in records[1:])]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(records)


def drop_site(site: str) -> Callable[[Rows], None]:
    """Every row of a site's patients gone, as in an export of one data access group."""

    def mutate(rows: Rows) -> None:
        ids = {r["patient_id"] for r in rows["patients"] if r["site_id"] == site}
        rows["screening"] = [r for r in rows["screening"] if r["site_id"] != site]
        for stem in EXPORTS:
            if stem != "screening":
                rows[stem] = [r for r in rows[stem] if r["patient_id"] not in ids]

    return mutate


def fatal(file: str, row: int, column: str, rule: str, words: str) -> Expected:
    return ("FATAL", file, row, column, rule, words)


def warn(file: str, row: int, column: str, rule: str, words: str) -> Expected:
    return ("WARN", file, row, column, rule, words)


NEUTROPHILS = lab_row("S01-001", "baseline", "neutrophils")
HEMOGLOBIN = lab_row("S01-002", "end_of_treatment", "hemoglobin")
PLATELETS = lab_row("S02-001", "one_month", "platelets")
CRP = lab_row("S01-001", "one_month", "crp")
WBC = lab_row("S01-001", "baseline", "wbc")
EMPTY_FATAL = ("screening", "patients", "lesions", "sbrt", "imaging", "follow_up")
EMPTY_WARN = {
    "progression": ("no_event_recorded", "analysed as no event"),
    "adverse_events": ("no_event_recorded", "analysed as no event"),
    "labs": ("no_lab_values", "blood-marker analyses"),
}

RECORD_NUMBER = r"str_matches('^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$')"
BIG = 200_000  # characters of a cell beyond the csv module's field limit
SITES = {"S01": None, "S02": None, "S03": None}

CASES = [
    # Accepted before although wrong.
    Case("last_contact_decades_ahead", rows=cell("follow_up", 0, last_contact_date="2052-09-01"),
         expected=[fatal("follow_up.csv", 1, "last_contact_date", "after_data_cut",
                         f"data cut {DATA_CUT}, config data_cut")]),
    Case("death_date_year_ahead", rows=cell("follow_up", 1, death_date="2202-05-02"),
         expected=[fatal("follow_up.csv", 2, "death_date", "after_data_cut", "data cut")]),
    Case("death_date_year_behind", rows=cell("follow_up", 1, death_date="2012-05-02"),
         expected=[
             fatal("follow_up.csv", 2, "death_date", "before_study_start",
                   f"study start {STUDY_START}"),
             fatal("follow_up.csv", 2, "last_contact_date", "after_death", "death 2012-05-02"),
             fatal("patients.csv", 2, "enrollment_date", "after_death", "death 2012-05-02"),
             fatal("patients.csv", 2, "surgery_date", "after_death", "death"),
             fatal("screening.csv", 3, "screening_date", "after_death", "death"),
             fatal("sbrt.csv", 3, "start_date", "after_death", "death"),
             fatal("sbrt.csv", 3, "end_date", "after_death", "death"),
             *[fatal("imaging.csv", row, "assessment_date", "after_death", "death")
               for row in (9, 10, 11)],
             fatal("progression.csv", 1, "event_date", "after_death", "death"),
             fatal("adverse_events.csv", 3, "onset_date", "after_death", "death"),
             *[fatal("labs.csv", row, "sample_date", "after_death", "death")
               for row in range(43, 85)],
         ]),
    Case("screened_after_enrollment", rows=cell("screening", 0, screening_date="2021-03-05"),
         expected=[fatal("screening.csv", 1, "screening_date", "screening_after_enrollment",
                         "enrolled 2021-03-01")]),
    Case("neutrophils_a_million_times_too_large",
         rows=lab("S01-001", "baseline", "neutrophils", value="4100000"),
         expected=[fatal("labs.csv", NEUTROPHILS, "value", "lab_impossible",
                         "neutrophils 4100000 10^9/L; possible 0 to 1000 10^9/L")]),
    Case("neutrophils_per_microlitre_as_10e9",
         rows=lab("S01-001", "baseline", "neutrophils", value="4100"),
         expected=[fatal("labs.csv", NEUTROPHILS, "value", "lab_impossible",
                         "in /uL it would be 4.1 10^9/L: wrong unit?")]),
    Case("hemoglobin_in_g_per_dl_labelled_g_per_l",
         rows=lab("S01-002", "end_of_treatment", "hemoglobin", value="13.1"),
         expected=[fatal("labs.csv", HEMOGLOBIN, "value", "lab_impossible",
                         "in g/dL it would be 131 g/L: wrong unit?")]),
    Case("hemoglobin_in_g_per_l_labelled_g_per_dl",
         rows=lab("S01-002", "end_of_treatment", "hemoglobin", unit="g/dL"),
         expected=[fatal("labs.csv", HEMOGLOBIN, "value", "lab_impossible",
                         "hemoglobin 1310 g/L; possible 20 to 300 g/L; in g/L it would be 131")]),
    Case("number_reading_as_infinity",
         rows=lab("S01-001", "one_month", "crp", value="9" * 400),
         expected=[fatal("labs.csv", CRP, "value", "non_finite", "too large to be finite")]),
    Case("absurd_pack_years", rows=cell("patients", 0, pack_years="3000"),
         expected=[fatal("patients.csv", 1, "pack_years", "in_range(0, 250)",
                         "outside the allowed range 0 to 250")]),
    Case("dangling_symbolic_link",
         files=replace_path("labs", lambda path: path.symlink_to(path.parent / "gone.csv")),
         expected=[fatal("labs.csv", 0, "", "not_a_file", "which does not exist")]),
    Case("folder_named_like_an_export", files=replace_path("sbrt", Path.mkdir),
         expected=[fatal("sbrt.csv", 0, "", "not_a_file", "a folder, not a file")]),
    Case("named_pipe", files=replace_path("lesions", os.mkfifo),
         expected=[fatal("lesions.csv", 0, "", "not_a_file", "a pipe, socket or device")]),
    Case("symbolic_link_loop", files=replace_path("imaging", lambda path: path.symlink_to(path)),
         expected=[fatal("imaging.csv", 0, "", "unreadable", "symbolic links")]),
    # A traceback later, before.
    *[Case(f"header_only_{stem}", rows=header_only(stem),
           expected=[fatal(f"{stem}.csv", 0, "", "empty_export", "no data row")])
      for stem in EMPTY_FATAL],
    *[Case(f"header_only_{stem}", rows=header_only(stem),
           expected=[warn(f"{stem}.csv", 0, "", rule, words)])
      for stem, (rule, words) in EMPTY_WARN.items()],
    Case("zero_bytes", files=rewrite("follow_up", lambda data: b""),
         expected=[fatal("follow_up.csv", 0, "", "empty_file", "no header row")]),
    # Messages that name the fix.
    Case("na_for_missing", rows=cell("patients", 1, fev1_pct="NA"),
         expected=[fatal("patients.csv", 2, "fev1_pct", "missing_marker",
                         "a missing value is an empty field")]),
    Case("null_for_missing_code", rows=cell("screening", 0, exclusion_reason="NULL"),
         expected=[fatal("screening.csv", 1, "exclusion_reason", "missing_marker",
                         "leave it empty")]),
    Case("dot_for_missing_date", rows=cell("adverse_events", 2, end_date="."),
         expected=[fatal("adverse_events.csv", 3, "end_date", "missing_marker", "empty field")]),
    Case("n_slash_a_for_required", rows=cell("patients", 2, age="N/A"),
         expected=[fatal("patients.csv", 3, "age", "missing_marker", "empty field")]),
    Case("thousands_separator", rows=lab("S02-001", "one_month", "platelets", value="1,221.5"),
         expected=[fatal("labs.csv", PLATELETS, "value", "number_format",
                         "a thousands separator; write the number without separators (1221.5)")]),
    Case("comma_thousands_or_decimal", rows=lab("S02-001", "one_month", "platelets", value="1,221"),
         expected=[fatal("labs.csv", PLATELETS, "value", "number_format", "(1221 or 1.221)")]),
    Case("european_number", rows=lab("S02-001", "one_month", "platelets", value="1.221,5"),
         expected=[fatal("labs.csv", PLATELETS, "value", "number_format",
                         "thousands separators and a decimal comma; write 1221.5")]),
    Case("space_thousands", rows=lab("S02-001", "one_month", "platelets", value="1 221"),
         expected=[fatal("labs.csv", PLATELETS, "value", "number_format", "(1221)")]),
    Case("scientific_notation", rows=lab("S02-001", "one_month", "platelets", value="2.21E+02"),
         expected=[fatal("labs.csv", PLATELETS, "value", "number_format",
                         "scientific notation, as Excel writes some numbers; "
                         "write it in full (221)")]),
    Case("quoted_decimal_comma", rows=cell("lesions", 0, diameter_mm="12,5"),
         expected=[fatal("lesions.csv", 1, "diameter_mm", "number_format",
                         "a decimal comma; write numbers with a decimal point (12.5)")]),
    Case("unquoted_decimal_comma",
         files=rewrite("labs", lambda data: data.replace(b",wbc,6.5,", b",wbc,6,5,", 1)),
         expected=[fatal("labs.csv", WBC, "", "field_count",
                         "an unquoted decimal comma splits a number into two fields "
                         "(value '6,5'); write numbers with a decimal point"),
                   # the record cannot be read, so that analyte is missing at its timepoint
                   warn("labs.csv", 0, "analyte", "missing_analyte", "")]),
    Case("below_quantification_limit", rows=lab("S01-001", "one_month", "crp", value="<0.5"),
         expected=[fatal("labs.csv", CRP, "value", "number_format", "below or above a limit")]),
    Case("percent_sign", rows=cell("patients", 0, fev1_pct="72.5%"),
         expected=[fatal("patients.csv", 1, "fev1_pct", "number_format", "% sign (72.5)")]),
    Case("number_with_unit", rows=cell("lesions", 3, diameter_mm="21 mm"),
         expected=[fatal("lesions.csv", 4, "diameter_mm", "number_format", "with a unit")]),
    Case("tab_separated", files=rewrite("sbrt", lambda data: data.replace(b",", b"\t")),
         expected=[fatal("sbrt.csv", 0, "", "delimiter", "the file is tab-separated")]),
    Case("semicolon_separated", files=rewrite("sbrt", lambda data: data.replace(b",", b";")),
         expected=[fatal("sbrt.csv", 0, "", "delimiter", "semicolon-separated")]),
    Case("pipe_separated", files=rewrite("sbrt", lambda data: data.replace(b",", b"|")),
         expected=[fatal("sbrt.csv", 0, "", "delimiter", "pipe-separated")]),
    Case("trailing_delimiter", files=rewrite("sbrt", lambda data: data.replace(b"\r\n", b",\r\n")),
         expected=[fatal("sbrt.csv", 0, "", "delimiter", "a trailing delimiter")]),
    Case("patient_ids_all_malformed",
         files=rewrite("patients", lambda data: data.replace(b"\r\nS", b"\r\n#S")),
         expected=[fatal("patients.csv", row, "patient_id", r"str_matches('^S\d{2}-\d{3}$')",
                         "does not have the required form") for row in (1, 2, 3)]),
    Case("patient_records_all_semicolon_separated",
         files=rewrite("patients", lambda data: b"\r\n".join(
             [line if i == 0 else line.replace(b",", b";")
              for i, line in enumerate(data.split(b"\r\n"))])),
         expected=[*[fatal("patients.csv", row, "", "field_count", "contains semicolons")
                     for row in (1, 2, 3)],
                   fatal("patients.csv", 0, "", "empty_export", "none could be read")]),
    # Beyond the kinds seen.
    Case("excel_serial_date", rows=cell("sbrt", 0, start_date="44263"),
         expected=[fatal("sbrt.csv", 1, "start_date", "date_format", "Excel serial date")]),
    Case("surgery_a_lifetime_ago", rows=cell("patients", 0, surgery_date="1990-01-10"),
         expected=[fatal("patients.csv", 1, "surgery_date", "before_study_start",
                         "earliest plausible surgery 2001-01-01, 20 years before")]),
    Case("ae_end_after_data_cut", rows=cell("adverse_events", 0, end_date="2023-06-01"),
         expected=[fatal("adverse_events.csv", 1, "end_date", "after_data_cut", "data cut"),
                   fatal("adverse_events.csv", 1, "end_date", "after_last_contact",
                         "last contact 2022-09-01")]),
    Case("unusual_pack_years", rows=cell("patients", 0, pack_years="180"),
         expected=[warn("patients.csv", 1, "pack_years", "value_unusual", "usual at most 150")]),
    Case("unusual_age", rows=cell("patients", 2, age="35"),
         expected=[warn("patients.csv", 3, "age", "value_unusual", "usual 40 to 90")]),
    Case("unusual_crp", rows=lab("S01-001", "one_month", "crp", value="250"),
         expected=[warn("labs.csv", CRP, "value", "lab_unusual", "crp 250 mg/L; usual at most")]),
    Case("lab_timepoints_swapped",
         rows=lab("S01-001", "one_month", "crp", sample_date="2021-03-05"),
         expected=[warn("labs.csv", CRP, "sample_date", "lab_timepoints_out_of_order",
                        "an earlier timepoint sampled 2021-03-19"),
                   warn("labs.csv", CRP, "sample_date", "lab_out_of_window", "day -14")]),
    Case("lab_row_exported_twelve_times",
         rows=lambda rows: rows["labs"].extend([dict(rows["labs"][0])] * 11),
         expected=[fatal("labs.csv", row, "patient_id+timepoint+analyte",
                         "unique(patient_id, timepoint, analyte)",
                         "on rows 1, 127, 128, 129, 130, 131, 132, 133, 134, 135 and 2 more")
                   for row in (1, *range(127, 138))]),
    Case("missing_export", files=lambda folder: (folder / "imaging.csv").unlink(),
         expected=[fatal("imaging.csv", 0, "", "missing_file", "missing from the folder")]),
    Case("identifier_column", files=lambda folder: add_column(folder / "follow_up.csv", "name"),
         expected=[fatal("follow_up.csv", 0, "name", "unknown_column", "identifiers")]),
    Case("latin1_bytes", files=rewrite("patients", lambda data: data.replace(
        b"female", "f\u00e9male".encode("latin-1"))),
         expected=[fatal("patients.csv", 2, "sex", "encoding", "not valid UTF-8")]),
    Case("formula_in_a_cell", rows=cell("adverse_events", 1, term="=HYPERLINK(\"x\")"),
         expected=[fatal("adverse_events.csv", 2, "term", "formula",
                         "starts like a spreadsheet formula")]),
    # Issue 24: what a data manager sent that went wrong.
    Case("a_single_line_break", files=rewrite("progression", lambda data: b"\n"),
         expected=[fatal("progression.csv", 0, "", "empty_file", "its first line is blank")]),
    Case("nul_bytes_on_a_later_line",
         files=rewrite("lesions", lambda data: data.replace(b"lll", b"l\x00l", 1)),
         expected=[fatal("lesions.csv", 2, "", "encoding", "the first on line 3")]),
    Case("oversized_cell", rows=cell("adverse_events", 1, term="x" * BIG),
         expected=[fatal("adverse_events.csv", 2, "", "csv_syntax",
                         "a cell of record 2 (line 3) is longer than 131,072 characters")]),
    Case("second_byte_order_mark",
         files=rewrite("follow_up", lambda data: "\ufeff\ufeff".encode() + data),
         expected=[fatal("follow_up.csv", 0, "\ufeffpatient_id", "unknown_column",
                         "(did you mean 'patient_id'?); the file starts with a second byte-order"),
                   fatal("follow_up.csv", 0, "patient_id", "missing_column", "missing")]),
    Case("formula_as_ae_id", rows=cell("adverse_events", 0, ae_id="=cmd|' /C calc'!A0"),
         expected=[fatal("adverse_events.csv", 1, "ae_id", "formula", "spreadsheet formula")]),
    Case("formula_in_a_number_column", rows=cell("lesions", 1, diameter_mm="=8+0"),
         expected=[fatal("lesions.csv", 2, "diameter_mm", "formula", "spreadsheet formula")]),
    Case("formula_in_a_date_column", rows=cell("sbrt", 1, end_date="@TODAY()"),
         expected=[fatal("sbrt.csv", 2, "end_date", "formula", "spreadsheet formula")]),
    Case("ae_id_with_a_space", rows=cell("adverse_events", 2, ae_id="AE 1"),
         expected=[fatal("adverse_events.csv", 3, "ae_id", RECORD_NUMBER, "required form")]),
    Case("screening_number_with_a_slash", rows=cell("screening", 1, screening_id="SCR/002"),
         expected=[fatal("screening.csv", 2, "screening_id", RECORD_NUMBER, "required form")]),
    Case("site_missing_from_the_delivery", rows=drop_site("S02"), config={"sites": SITES},
         expected=[fatal("screening.csv", 0, "site_id", "site_missing",
                         "S02, S03 (2 of 3 sites); an export made by a user in one REDCap")]),
    Case("site_missing_on_purpose", rows=drop_site("S02"),
         config={"sites": SITES, "partial_delivery": True},
         expected=[warn("screening.csv", 0, "site_id", "site_missing", "S02, S03")]),
    Case("site_not_of_the_study", config={"sites": {"S01": None}},
         expected=[fatal("screening.csv", 4, "site_id", "site_unknown",
                         "the study's sites are S01")]),
    Case("fewer_patients_than_the_previous_cut", rows=drop_site("S02"),
         config={"previous_patients": "PREVIOUS"},
         expected=[fatal("patients.csv", 0, "patient_id", "patient_missing",
                         "S02-001 (1 of 3 patients of the previous cut, 2 in this one)")]),
    Case("screening_before_the_site_opened",
         config={"sites": {"S01": {"first_screening": "2021-03-01"}, "S02": None}},
         expected=[fatal("screening.csv", 1, "screening_date", "outside_site_period",
                         "before the first screening of site S01, 2021-03-01 (config sites)")]),
    Case("screening_after_the_sites_last_contact",
         rows=cell("screening", 1, screening_date="2022-10-01"),
         expected=[warn("screening.csv", 2, "screening_date", "screening_after_site_contact",
                        "after the last contact of site S01, 2022-09-01")]),
]  # fmt: skip


def run_cli(folder: Path, out: Path, settings: dict | None = None) -> tuple[int, pd.DataFrame]:
    """Exit status and findings of `python -m sbrtlung.validation.gate` on the folder, with
    `settings` as its config file when given."""
    findings_csv = out / "findings.csv"
    argv = [str(folder), "--findings", str(findings_csv)]
    if settings:
        (out / "config.yaml").write_text(yaml.safe_dump(settings))
        argv += ["--config", str(out / "config.yaml")]
    status = main([*argv, "--data-cut", DATA_CUT, "--study-start", STUDY_START])
    findings = pd.read_csv(findings_csv, dtype=str, keep_default_na=False)
    return status, findings.astype({"row": int})


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_export(tmp_path, case):
    rows = clean_rows()
    case.rows(rows)
    folder = write_folder(rows, tmp_path / "raw")
    case.files(folder)
    previous = write_folder(clean_rows(), tmp_path / "previous") / "patients.csv"
    settings = {k: str(previous) if v == "PREVIOUS" else v for k, v in case.config.items()}
    status, findings = run_cli(folder, tmp_path, settings)
    severities = {severity for severity, *_ in case.expected}
    assert status == (case.status if case.status >= 0 else int("FATAL" in severities))
    found = sorted(findings[["severity", "file", "row", "column", "rule"]].itertuples(False, None))
    assert found == sorted(e[:5] for e in case.expected)
    for *where, words in case.expected:
        located = findings[
            (findings[["severity", "file", "row", "column", "rule"]] == where).all(axis=1)
        ]
        assert located["message"].str.contains(words, regex=False).all(), (where, words)


def test_corpus_has_forty_bad_exports():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


def test_a_formula_stays_inert_and_readable_in_the_csv(tmp_path):
    rows = clean_rows()
    rows["adverse_events"][1]["term"] = '=HYPERLINK("x")'
    rows["patients"][1]["sex"] = "-female"
    status, findings = run_cli(write_folder(rows, tmp_path / "raw"), tmp_path)
    assert status == 1
    assert set(findings["value"]) == {'\'=HYPERLINK("x")', "'-female"}
    with open(tmp_path / "findings.csv", newline="", encoding="utf-8") as handle:
        cells = [c for record in csv.reader(handle) for c in record]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


# --- accepted variants: the same delivery written the ways EDC systems write it --------------


def _rewrite_all(folder: Path, change: Callable[[list[list[str]]], list[list[str]]], **kw) -> None:
    for stem in EXPORTS:
        path = folder / f"{stem}.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            records = change(list(csv.reader(handle)))
        with open(path, "w", newline="", encoding=kw.get("encoding", "utf-8")) as handle:
            csv.writer(
                handle,
                lineterminator=kw.get("end", "\r\n"),
                quoting=kw.get("quoting", csv.QUOTE_MINIMAL),
            ).writerows(records)


def _reversed_columns(records: list[list[str]]) -> list[list[str]]:
    return [record[::-1] for record in records]


VARIANTS = {
    "lf": lambda folder: _rewrite_all(folder, list, end="\n"),
    "cr": lambda folder: _rewrite_all(folder, list, end="\r"),
    "bom": lambda folder: _rewrite_all(folder, list, encoding="utf-8-sig"),
    "quoted": lambda folder: _rewrite_all(folder, list, quoting=csv.QUOTE_ALL),
    "reordered_columns": lambda folder: _rewrite_all(folder, _reversed_columns),
    "all_at_once": lambda folder: _rewrite_all(
        folder, _reversed_columns, end="\r", encoding="utf-8-sig", quoting=csv.QUOTE_ALL
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_accepted_variant_gives_identical_tables(tmp_path, variant):
    plain, _ = read_exports(write_folder(clean_rows(), tmp_path / "plain"))
    folder = write_folder(clean_rows(), tmp_path / variant)
    VARIANTS[variant](folder)
    assert (folder / "patients.csv").read_bytes() != (
        tmp_path / "plain" / "patients.csv"
    ).read_bytes()
    status, findings = run_cli(folder, tmp_path)
    assert status == 0 and findings.empty
    tables, _ = read_exports(folder)
    assert list(tables) == list(plain)
    for stem, table in tables.items():
        pd.testing.assert_frame_equal(table, plain[stem])
