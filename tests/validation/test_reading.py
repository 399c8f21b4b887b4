"""Noise in the delivered files: the folder, the file format, and cells that do not parse."""

import pandas as pd
import pytest

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.exports import read_exports
from sbrtlung.validation.gate import validate_exports

from .factory import clean_rows, fatal, gate_config, validate_rows, write_folder


def _replace(path, old: bytes, new: bytes, count: int = 1):
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, count))


def _run(folder):
    return validate_exports(folder, gate_config(folder))


def _only(findings):
    """The single finding of a run, as a dict."""
    assert len(findings) == 1, findings.to_string()
    return findings.iloc[0].to_dict()


def test_clean_folder_has_no_finding_and_typed_tables(tmp_path):
    tables, findings = validate_rows(clean_rows(), tmp_path)
    assert findings.empty
    assert list(tables) == list(EXPORTS)
    for stem, table in tables.items():
        schema = EXPORTS[stem].to_schema()
        assert list(table.columns) == list(schema.columns)
        assert table.index.tolist() == list(range(1, len(table) + 1))
        for name, column in schema.columns.items():
            expected = "object" if str(column.dtype) == "str" else str(column.dtype)
            assert str(table[name].dtype) == expected, (stem, name)
    assert tables["patients"]["dlco_pct"].isna().sum() == 2
    assert tables["screening"]["patient_id"].isna().sum() == 1
    assert tables["adverse_events"]["end_date"].isna().sum() == 1
    assert tables["patients"].loc[3, "pack_years"] == 40.5


def test_utf8_bom_and_unix_line_ends_are_accepted(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    path = folder / "patients.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n"))
    tables, findings = _run(folder)
    assert findings.empty
    assert tables["patients"].columns[0] == "patient_id"


def test_semicolon_separated_file(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    path = folder / "patients.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    tables, findings = _run(folder)
    finding = _only(findings)
    assert (finding["file"], finding["row"], finding["rule"]) == ("patients.csv", 0, "delimiter")
    assert "semicolon" in finding["message"]
    assert "patients" not in tables


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("44256", "Excel serial date"),
        ("01/03/2021", "DD/MM/YYYY"),
        ("2021-02-30", "not a real calendar date"),
        ("2021-3-1", "YYYY-MM-DD"),
        ("2021-03-01T00:00", "time part"),
    ],
)
def test_dates_must_be_iso_calendar_dates(tmp_path, text, words):
    rows = clean_rows()
    rows["screening"][2]["screening_date"] = text
    _, findings = validate_rows(rows, tmp_path)
    finding = _only(findings)
    assert (finding["file"], finding["row"], finding["column"]) == (
        "screening.csv",
        3,
        "screening_date",
    )
    assert (finding["severity"], finding["rule"], finding["value"]) == (
        "FATAL",
        "date_format",
        text,
    )
    assert words in finding["message"]


def test_non_utf8_cell_is_located(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    _replace(folder / "patients.csv", b"female", "fémale".encode("latin-1"))
    tables, findings = _run(folder)
    finding = _only(findings)
    assert (finding["file"], finding["row"], finding["column"], finding["rule"]) == (
        "patients.csv",
        2,
        "sex",
        "encoding",
    )
    assert finding["value"] == "f\\xe9male"
    assert pd.isna(tables["patients"].loc[2, "sex"])


def test_utf16_file(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    path = folder / "lesions.csv"
    path.write_bytes(path.read_bytes().decode("utf-8").encode("utf-16"))
    tables, findings = _run(folder)
    assert fatal(findings) == [("lesions.csv", 0, "", "encoding")]
    assert "lesions" not in tables


def test_unknown_column_is_an_identifier_guard(tmp_path):
    rows = clean_rows()
    for i, row in enumerate(rows["patients"]):
        row["patient_name"] = f"Name {i}"
    folder = tmp_path / "raw"
    folder.mkdir()
    write_folder({k: v for k, v in rows.items() if k != "patients"}, folder)
    columns = [*EXPORTS["patients"].to_schema().columns, "patient_name"]
    lines = [",".join(columns)] + [",".join(r[c] for c in columns) for r in rows["patients"]]
    (folder / "patients.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tables, findings = _run(folder)
    finding = _only(findings)
    assert (finding["file"], finding["row"], finding["column"], finding["rule"]) == (
        "patients.csv",
        0,
        "patient_name",
        "unknown_column",
    )
    for word in ("not in the data contract", "identifiers", "names", "birth dates"):
        assert word in finding["message"]
    assert "patient_name" not in tables["patients"].columns
    assert len(tables["patients"]) == 3


def test_column_name_with_spaces_is_unknown_and_named(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    _replace(folder / "patients.csv", b",age,", b", age,")
    _, findings = _run(folder)
    assert fatal(findings) == [
        ("patients.csv", 0, " age", "unknown_column"),
        ("patients.csv", 0, "age", "missing_column"),
    ]
    assert "did you mean 'age'" in findings["message"].iloc[0]


def test_unknown_and_missing_files(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    (folder / "labs.csv").unlink()
    (folder / "names.csv").write_text("name\nX\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "screening.csv").unlink()
    (folder / "screening.csv").mkdir()
    tables, findings = _run(folder)
    assert fatal(findings) == [
        ("labs.csv", 0, "", "missing_file"),
        ("names.csv", 0, "", "unknown_file"),
        ("screening.csv", 0, "", "not_a_file"),
    ]
    assert "labs" not in tables and "screening" not in tables


def test_record_with_wrong_field_count(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    path = folder / "labs.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = lines[3].rsplit(b",", 1)[0]  # the third data row loses its unit
    lines[5] = lines[5].replace(b",", b";")
    path.write_bytes(b"\r\n".join(lines))
    tables, findings = _run(folder)
    assert fatal(findings) == [
        ("labs.csv", 3, "", "field_count"),
        ("labs.csv", 5, "", "field_count"),
    ]
    assert "semicolons" in findings["message"].iloc[1]
    assert 3 not in tables["labs"].index and 4 in tables["labs"].index
    assert len(tables["labs"]) == 124


def test_blank_line_is_a_wrong_field_count(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    _replace(folder / "lesions.csv", b"\r\n", b"\r\n\r\n")
    tables, findings = _run(folder)
    assert fatal(findings) == [("lesions.csv", 1, "", "field_count")]
    assert findings["message"].iloc[0] == "blank line"
    assert tables["lesions"].index.tolist() == [2, 3, 4, 5]


def test_broken_quoting_and_empty_file(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    _replace(folder / "imaging.csv", b"S01-002,L1,2021-07-12", b'"S01-002"x,L1,2021-07-12')
    (folder / "progression.csv").write_bytes(b"")
    tables, findings = _run(folder)
    assert fatal(findings) == [
        ("progression.csv", 0, "", "empty_file"),
        ("imaging.csv", 9, "", "csv_syntax"),
    ]
    assert "imaging" not in tables and "progression" not in tables


def test_duplicate_and_missing_column(tmp_path):
    folder = write_folder(clean_rows(), tmp_path)
    _replace(folder / "follow_up.csv", b"cause_of_death", b"vital_status")
    tables, findings = _run(folder)
    assert fatal(findings) == [
        ("follow_up.csv", 0, "cause_of_death", "missing_column"),
        ("follow_up.csv", 0, "vital_status", "duplicate_column"),
    ]
    assert list(tables["follow_up"].columns) == [
        "patient_id",
        "last_contact_date",
        "vital_status",
        "death_date",
    ]


def test_missing_column_keeps_checking_cells_but_skips_rules(tmp_path):
    rows = clean_rows()
    rows["patients"][0]["age"] = "17"
    folder = write_folder(rows, tmp_path)
    path = folder / "patients.csv"
    lines = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    position = lines[0].index("ecog")
    path.write_text("\n".join(",".join(x[:position] + x[position + 1 :]) for x in lines) + "\n")
    _, findings = _run(folder)
    assert fatal(findings) == [
        ("patients.csv", 0, "ecog", "missing_column"),
        ("patients.csv", 1, "age", "in_range(18, 100)"),
    ]


@pytest.mark.parametrize(
    ("stem", "index", "column", "text", "rule", "words"),
    [
        ("patients", 0, "sex", " male", "whitespace", "whitespace"),
        ("patients", 0, "sex", "male ", "whitespace", "whitespace"),
        ("patients", 0, "sex", "Male", "code_case", "'male'"),
        ("labs", 5, "unit", "g/l", "code_case", "'g/L'"),
        ("lesions", 0, "diameter_mm", "12,5", "number_format", "decimal comma"),
        ("lesions", 0, "diameter_mm", "nan", "missing_marker", "empty field"),
        ("lesions", 0, "diameter_mm", "twelve", "number_format", "not a number"),
        ("adverse_events", 0, "grade", "2.0", "integer_format", "whole numbers"),
        ("patients", 0, "age", "sixty", "integer_format", "not an integer"),
    ],
)
def test_cell_noise(tmp_path, stem, index, column, text, rule, words):
    rows = clean_rows()
    rows[stem][index][column] = text
    tables, findings = validate_rows(rows, tmp_path)
    finding = _only(findings)
    location = (finding["file"], finding["row"], finding["column"], finding["rule"])
    assert location == (f"{stem}.csv", index + 1, column, rule)
    assert finding["value"] == text
    assert words in finding["message"]
    assert pd.isna(tables[stem].loc[index + 1, column])


def test_all_errors_of_all_files_in_one_run(tmp_path):
    rows = clean_rows()
    rows["patients"][0]["age"] = "101"
    rows["screening"][1]["screening_date"] = "44256"
    rows["labs"][3]["unit"] = "mg/L"
    rows["sbrt"][2]["end_date"] = "2021-04-11"
    rows["sbrt"][3]["fractions_delivered"] = "7"
    folder = write_folder(rows, tmp_path)
    (folder / "progression.csv").unlink()
    (folder / "notes.txt").write_text("x")
    _, findings = _run(folder)
    assert fatal(findings) == [
        ("notes.txt", 0, "", "unknown_file"),
        ("progression.csv", 0, "", "missing_file"),
        ("labs.csv", 4, "unit", "unit_not_allowed"),
        ("patients.csv", 1, "age", "in_range(18, 100)"),
        ("sbrt.csv", 3, "end_date", "sbrt_end_before_start"),
        ("screening.csv", 2, "screening_date", "date_format"),
    ]
    assert findings.loc[findings["severity"] == "WARN", "rule"].tolist() == ["incomplete_course"]


def test_not_a_folder(tmp_path):
    with pytest.raises(NotADirectoryError):
        read_exports(tmp_path / "nowhere")
