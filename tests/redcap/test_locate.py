"""A REDCap export with a defect gives a finding of the gate that names the REDCap record,
instrument, instance and field where the data manager corrects it."""

import csv
import io

import pandas as pd

from sbrtlung import config
from sbrtlung.redcap import records
from sbrtlung.redcap.locate import COLUMNS, annotate, read_row_map
from sbrtlung.validation.gate import validate_exports
from tests.validation.factory import clean_rows, write_folder


def _gate_on_redcap(lines: list[dict[str, str]], tmp_path) -> pd.DataFrame:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(lines[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    tables, row_map = records.split(out.getvalue())
    records.write_exports(tables, tmp_path / "exports")
    records.write_row_map(row_map, tmp_path / "rows.csv")
    _, findings = validate_exports(tmp_path / "exports", config.load())
    return annotate(findings, read_row_map(tmp_path / "rows.csv"))


def _lines(tmp_path) -> list[dict[str, str]]:
    write_folder(clean_rows(), tmp_path / "raw")
    text = io.StringIO()
    csv.writer(text).writerows(records.export(records.read_exports(tmp_path / "raw")))
    return list(csv.DictReader(io.StringIO(text.getvalue())))


def _line(lines, record, instrument="", instance=""):
    return next(
        r
        for r in lines
        if (r["record_id"], r["redcap_repeat_instrument"], r["redcap_repeat_instance"])
        == (record, instrument, instance)
    )


def test_a_defect_names_the_redcap_record_instrument_instance_and_field(tmp_path):
    lines = _lines(tmp_path)
    _line(lines, "SCR-003", "adverse_events", "1")["ae_end_date"] = "2021-04-01"  # before onset
    _line(lines, "SCR-004")["pt_age"] = "150"
    findings = _gate_on_redcap(lines, tmp_path)
    fatal = findings[findings["severity"] == "FATAL"]
    located = fatal[["file", "row", "column", "rule", *COLUMNS]].to_records(index=False).tolist()
    assert ("adverse_events.csv", 3, "end_date", "ae_end_before_onset", "SCR-003",
            "adverse_events", "1", "ae_end_date") in located  # fmt: skip
    assert ("patients.csv", 3, "age", "in_range(18, 100)", "SCR-004", "patients", "",
            "pt_age") in located  # fmt: skip
    message = fatal.loc[fatal["column"] == "age", "message"].item()
    assert message.endswith("[REDCap: record SCR-004, instrument patients, field pt_age]")


def test_a_value_the_record_carries_names_the_field_where_it_is_entered(tmp_path):
    lines = _lines(tmp_path)
    _line(lines, "SCR-004")["scr_patient_id"] = ""  # enrolled, but no patient ID at screening
    findings = _gate_on_redcap(lines, tmp_path)
    hit = findings[(findings["file"] == "lesions.csv") & (findings["column"] == "patient_id")]
    assert hit[COLUMNS].iloc[0].tolist() == ["SCR-004", "lesions", "1", "scr_patient_id"]
    assert (
        hit["message"]
        .iloc[0]
        .endswith(
            "[REDCap: record SCR-004, instrument lesions instance 1, field scr_patient_id "
            "(on screening)]"
        )
    )


def test_a_finding_on_a_whole_file_names_the_instrument_and_field(tmp_path):
    lines = _lines(tmp_path)
    lines.remove(_line(lines, "SCR-001", "labs", "3"))  # an analyte missing at baseline
    findings = _gate_on_redcap(lines, tmp_path)
    hit = findings[findings["rule"] == "missing_analyte"]
    assert hit[COLUMNS].iloc[0].tolist() == ["", "labs", "", "lab_analyte"]
    assert hit["message"].iloc[0].endswith("[REDCap: instrument labs, field lab_analyte]")


def test_a_clean_export_has_no_finding_and_the_columns_anyway(tmp_path):
    findings = _gate_on_redcap(_lines(tmp_path), tmp_path)
    assert not (findings["severity"] == "FATAL").any()
    assert list(findings.columns)[-4:] == COLUMNS
