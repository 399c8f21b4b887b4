"""The outputs of the gate: Markdown report, stderr summary, typed parquet, command line."""

import re

import pandas as pd
import pytest

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.gate import (
    GateFailed,
    fatal_summary,
    main,
    passed,
    report,
    report_markdown,
    validate_exports,
    write_findings,
    write_tables,
)
from sbrtlung.validation.period import study_period

from .factory import DATA_CUT, STUDY_START, clean_rows, gate_config, write_folder

PERIOD = ["--data-cut", DATA_CUT, "--study-start", STUDY_START]


@pytest.fixture
def failing(tmp_path):
    """A folder with two FATAL findings (one value holding a pipe) and one WARN finding."""
    rows = clean_rows()
    rows["adverse_events"][2]["term"] = "cough|dry"
    rows["patients"][1]["age"] = "17"
    rows["sbrt"][2]["fractions_delivered"] = "2"
    return write_folder(rows, tmp_path / "raw")


def test_report_of_a_failing_folder(failing):
    tables, findings = validate_exports(failing, gate_config(failing))
    report = report_markdown(findings, tables, study_period(gate_config(failing)))
    assert "**Verdict: FAIL** - 2 FATAL and 1 WARN findings." in report
    assert "| labs.csv | 126 |" in report
    by_rule = [
        "| FATAL | in_range(18, 100) | patients.csv | 1 | a value outside its allowed range |",
        "| WARN | incomplete_course | sbrt.csv | 1 | fewer fractions delivered than planned |",
    ]
    assert all(line in report for line in by_rule)
    assert "## FATAL findings (2)" in report and "## WARN findings (1)" in report
    assert "| adverse_events.csv | 3 | term | cough\\|dry | isin(\\[" in report
    fatal_part = report.split("## FATAL findings")[1].split("## WARN findings")[0]
    assert fatal_part.index("adverse_events.csv") < fatal_part.index("patients.csv")
    rows = [line for line in fatal_part.splitlines() if line.startswith("|")]
    assert len(rows) == 4
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 7 for line in rows)


def test_what_the_report_rule_and_the_gate_rule_get(failing, tmp_path):
    config = gate_config(failing)
    tables, findings = validate_exports(failing, config)
    written = report(failing, config, [])
    pd.testing.assert_frame_equal(written.findings, findings)
    assert written.markdown == report_markdown(findings, tables, study_period(config))
    with pytest.raises(GateFailed, match="validation FAILED: 2 FATAL") as failed:
        passed(failing, config, [], "the/report.md")
    assert str(failed.value).endswith("full report: the/report.md")
    clean = write_folder(clean_rows(), tmp_path / "clean")
    through = passed(clean, gate_config(clean), [], "r.md")
    assert sorted(through.tables) == sorted(EXPORTS)
    assert through.period == study_period(gate_config(clean))  # configured: as checked


def test_report_of_a_clean_folder(tmp_path):
    tables, findings = validate_exports(write_folder(clean_rows(), tmp_path), gate_config(tmp_path))
    report = report_markdown(findings, tables, study_period(gate_config(tmp_path)))
    assert "**Verdict: PASS** - 0 FATAL and 0 WARN findings." in report
    assert report.count("None.") == 2


def test_report_and_findings_are_deterministic(failing, tmp_path):
    outputs = []
    for run in ("a", "b"):
        tables, findings = validate_exports(failing, gate_config(failing))
        csv_path = tmp_path / f"{run}.csv"
        write_findings(findings, csv_path)
        period = study_period(gate_config(failing))
        outputs.append((report_markdown(findings, tables, period), csv_path.read_bytes()))
    assert outputs[0] == outputs[1]


def test_fatal_summary(failing):
    _, findings = validate_exports(failing, gate_config(failing))
    summary = fatal_summary(findings, limit=1, report="out/report.md")
    lines = summary.splitlines()
    assert lines[0] == "validation FAILED: 2 FATAL, 1 WARN findings"
    assert lines[1].startswith("  adverse_events.csv row 3 column term value 'cough|dry'")
    assert lines[2] == "  ... and 1 more FATAL findings"
    assert lines[3] == "full report: out/report.md"


def test_typed_parquet_round_trips_and_is_byte_identical(tmp_path):
    tables, _ = validate_exports(
        write_folder(clean_rows(), tmp_path / "raw"), gate_config(tmp_path / "raw")
    )
    write_tables(tables, tmp_path / "a")
    write_tables(tables, tmp_path / "b")
    for stem in EXPORTS:
        first = (tmp_path / "a" / f"{stem}.parquet").read_bytes()
        assert first == (tmp_path / "b" / f"{stem}.parquet").read_bytes()
        back = pd.read_parquet(tmp_path / "a" / f"{stem}.parquet")
        expected = tables[stem].reset_index(drop=True)
        assert list(back.columns) == list(expected.columns)
        assert isinstance(back.index, pd.RangeIndex)
        pd.testing.assert_frame_equal(back, expected, check_dtype=False)
        typed = [name for name, dtype in expected.dtypes.items() if str(dtype) != "object"]
        assert back[typed].dtypes.equals(expected[typed].dtypes), stem


def test_all_missing_text_column_keeps_its_type(tmp_path):
    tables, _ = validate_exports(
        write_folder(clean_rows(), tmp_path / "raw"), gate_config(tmp_path / "raw")
    )
    write_tables(tables, tmp_path / "out")
    import pyarrow.parquet as parquet

    schema = parquet.read_schema(tmp_path / "out" / "follow_up.parquet")
    assert str(schema.field("cause_of_death").type) == "string"
    assert str(schema.field("death_date").type) == "timestamp[ns]"


def test_command_line(failing, tmp_path, capsys):
    report, findings_csv, out = tmp_path / "r.md", tmp_path / "f.csv", tmp_path / "t"
    argv = [str(failing), "--report", str(report), "--findings", str(findings_csv), *PERIOD]
    assert main([*argv, "--tables", str(out)]) == 1
    err = capsys.readouterr().err
    assert "validation FAILED: 2 FATAL" in err and f"full report: {report}" in err
    assert "Verdict: FAIL" in report.read_text()
    assert len(pd.read_csv(findings_csv)) == 3
    assert not out.exists()

    clean = write_folder(clean_rows(), tmp_path / "clean")
    assert main([str(clean), "--tables", str(out), *PERIOD]) == 0
    assert "validation passed" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}.parquet" for s in EXPORTS)


def test_command_line_requires_the_study_period(tmp_path, capsys):
    clean = write_folder(clean_rows(), tmp_path / "clean")
    for argv, key in (([], "data_cut"), (["--data-cut", DATA_CUT], "study_start")):
        assert main([str(clean), *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"{key} is required for real exports" in err[0]


def test_command_line_refuses_a_folder_it_cannot_read(tmp_path, capsys):
    file = tmp_path / "patients.csv"
    file.write_text("x\n")
    for raw_dir, words in ((tmp_path / "nowhere", "does not exist"), (file, "is not a folder")):
        assert main([str(raw_dir), *PERIOD]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1
        assert err[-1].endswith(
            f"raw_dir {raw_dir} {words}"
            + (" (it should hold the nine CSV exports)" if words == "is not a folder" else "")
        )


def test_report_escapes_markup_and_caps_what_it_shows(tmp_path, monkeypatch):
    import sbrtlung.validation.gate as validate

    rows = clean_rows()
    rows["adverse_events"][0]["term"] = "<script>alert(1)</script> **x** [a](b) _y_"
    for row in rows["patients"]:
        row["sex"] = "Other"
    folder = write_folder(rows, tmp_path / "raw")
    tables, findings = validate_exports(folder, gate_config(folder))
    monkeypatch.setattr(validate, "REPORT_LIMIT", 2)
    report = report_markdown(findings, tables, study_period(gate_config(folder)))
    assert "\\<script\\>alert(1)\\</script\\> \\*\\*x\\*\\* \\[a\\](b) \\_y\\_" in report
    assert "<script>" not in report
    assert "'pulmonary_fibrosis'" in report  # an underscore inside a word stays as it is
    shown = [line for line in report.splitlines() if line.startswith("| patients.csv | ")]
    shown = [line for line in shown if "| sex | Other |" in line]
    assert len(shown) == 2
    assert "1 more FATAL findings are not shown (at most 2 per rule and file)" in report
    assert "Dates are checked against the study period: from 2021-01-01 (config study" in report


def test_an_unexpected_error_ends_in_one_line_naming_the_folder(tmp_path, capsys, monkeypatch):
    import sbrtlung.validation.gate as validate

    clean = write_folder(clean_rows(), tmp_path / "clean")

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(validate, "validate_exports", broken)
    assert main([str(clean), *PERIOD]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"python -m sbrtlung.validation.gate: unexpected error while reading {clean}: "
        "IndexError: list index out of range"
    ]


def test_a_config_it_cannot_use_ends_in_one_line(tmp_path, capsys):
    clean = write_folder(clean_rows(), tmp_path / "clean")
    bad = tmp_path / "bad.yaml"
    for text, words in (
        ("sites: [S01]\n", "config"),
        ("previous_patients: /nowhere/patients.csv\n", "previous_patients /nowhere"),
        ("seed: [\n", "cannot be read"),
    ):
        bad.write_text(text)
        assert main([str(clean), *PERIOD, "--config", str(bad)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err
