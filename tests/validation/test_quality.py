"""Data-quality summary: findings counted by rule and attributed to patients by hand."""

import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.study import horizon_of
from sbrtlung.validation import quality
from sbrtlung.validation.checks import rules_table
from sbrtlung.validation.findings import Finding, to_frame
from tests.reporting.test_characteristics import assert_well_formed

TABLES = {
    "sbrt": pd.DataFrame({"patient_id": ["S01-001", "S01-002", "S01-002", "S01-003"]}),
    "labs": pd.DataFrame({"patient_id": ["S01-001", "S01-001", "S01-004"]}),
    "screening": pd.DataFrame({"patient_id": ["S01-001", None]}),
    "patients": pd.DataFrame({"patient_id": ["S01-001", "S01-002", "S01-003", "S01-004"]}),
}


def finding(file, row, rule, value="", severity="WARN"):
    return Finding(severity, file, row, "", value, rule, "")


FINDINGS = to_frame(
    [
        finding("sbrt.csv", 2, "incomplete_course", "3"),
        finding("sbrt.csv", 3, "incomplete_course", "0"),  # same patient S01-002
        finding("sbrt.csv", 4, "long_course", "2022-02-10"),  # S01-003
        finding("labs.csv", 1, "lab_out_of_window", "2022-01-01"),
        finding("labs.csv", 2, "lab_out_of_window", "2022-01-02"),  # also S01-001
        finding("labs.csv", 0, "missing_analyte", "S01-004, baseline, crp"),
        finding("labs.csv", 0, "missing_analyte", "S01-004, one_month, ldh"),
        finding("labs.csv", 0, "missing_analyte", "S01-001, baseline, crp"),
        finding("patients.csv", 3, "no_follow_up_scan", "S01-003"),
        finding("screening.csv", 2, "isin(['a', 'b'])", "x", "FATAL"),  # names no patient
    ]
)
CONFIG = config.load(quality={"max_course_days": 21})


@pytest.fixture(scope="module")
def table():
    return quality.data_quality(FINDINGS, TABLES, CONFIG["quality"], horizon_of(CONFIG))


def test_findings_are_attributed_to_their_patients():
    patients = quality.finding_patients(FINDINGS, TABLES)
    by_rule = dict(zip(FINDINGS["rule"] + ":" + FINDINGS["row"].astype(str), patients, strict=True))
    assert by_rule["incomplete_course:3"] == "S01-002"
    assert by_rule["lab_out_of_window:2"] == "S01-001"
    assert by_rule["no_follow_up_scan:3"] == "S01-003"
    assert patients[FINDINGS["rule"] == "missing_analyte"].tolist() == [
        "S01-001",
        "S01-004",
        "S01-004",
    ]
    assert patients[FINDINGS["file"] == "screening.csv"].isna().all()


def test_deviation_summary(table):
    deviations = table.frame[table.frame["section"] == "deviation"].set_index("rule")
    assert deviations.index.tolist() == [
        "incomplete_course",
        "long_course",
        "lab_out_of_window",
        "scan_gap",
        "no_follow_up_scan",
        "missing_analyte",
    ]
    counts = deviations[["findings", "patients"]].apply(tuple, axis=1).to_dict()
    assert counts == {
        "incomplete_course": (2, 1),
        "long_course": (1, 1),
        "lab_out_of_window": (2, 1),
        "scan_gap": (0, 0),  # zero row shown
        "no_follow_up_scan": (1, 1),
        "missing_analyte": (3, 2),
    }
    # Labels carry the configured thresholds.
    assert "longer than 21 days" in deviations.loc["long_course", "label"]
    assert "More than 6 months" in deviations.loc["scan_gap", "label"]
    assert "within 2 years" in deviations.loc["scan_gap", "label"]


def test_findings_by_rule_list_every_rule(table):
    rules = table.frame[table.frame["section"] == "rule"]
    declared = rules_table().drop_duplicates("id")
    for severity in quality.SEVERITIES:
        listed = rules.loc[rules["severity"] == severity, "rule"].tolist()
        ids = declared.loc[declared["severity"] == severity, "id"].tolist()
        assert listed[0] == "any"
        assert listed[1 : len(ids) + 1] == ids
    fatal = rules[rules["severity"] == "FATAL"].set_index("rule")
    assert fatal.loc["any", "findings"] == 1
    assert fatal.loc["isin(['a', 'b'])", ["findings", "patients"]].tolist() == [1, 0]
    assert fatal.loc["isin(['a', 'b'])", "label"] == "A value that is not one of the listed codes"
    warn = rules[rules["severity"] == "WARN"].set_index("rule")
    assert warn.loc["any", ["findings", "patients"]].tolist() == [9, 4]
    assert warn.loc["scan_gap", "findings"] == 0
    assert warn["findings"].drop("any").sum() == warn.loc["any", "findings"]


def test_markdown(table):
    assert_well_formed(table.markdown)
    parts = table.markdown.split("\nTable: ")
    assert len(parts) == 3  # two tables, each with its caption
    assert (
        "| Incomplete SBRT course (fewer fractions delivered than planned) | courses | 2 | 1 |"
        in (table.markdown)
    )


def test_read_findings_keeps_values_as_text(tmp_path):
    path = tmp_path / "report.csv"
    FINDINGS.to_csv(path, index=False, lineterminator="\n")
    back = quality.read_findings(path)
    pd.testing.assert_frame_equal(back, FINDINGS.astype({"value": object}), check_dtype=False)
    assert back.loc[FINDINGS["rule"] == "incomplete_course", "value"].tolist() == ["3", "0"]
    assert back["row"].dtype == "int64"


@pytest.mark.slow
def test_realistic_trial(tmp_path):
    from sbrtlung.adam.datasets import read_tables
    from sbrtlung.synthetic.simulate import simulate_trial, write_exports
    from sbrtlung.validation.gate import validate_exports, write_tables

    cfg = config.load()
    write_exports(simulate_trial(cfg["simulation"], 11), tmp_path / "raw")
    tables, findings = validate_exports(tmp_path / "raw", cfg)
    findings.to_csv(tmp_path / "report.csv", index=False, lineterminator="\n")
    write_tables(tables, tmp_path / "validated")
    typed = read_tables(sorted((tmp_path / "validated").glob("*.parquet")))
    table = quality.data_quality(
        quality.read_findings(tmp_path / "report.csv"), typed, cfg["quality"], horizon_of(cfg)
    )
    rules = table.frame[table.frame["section"] == "rule"].set_index(["severity", "rule"])
    counts = findings.groupby(["severity", "rule"]).size()
    for key, n in counts.items():
        assert rules.loc[key, "findings"] == n
    patients = quality.finding_patients(findings, typed)
    assert patients[findings["row"] > 0].notna().all()  # every row finding names a patient
    assert_well_formed(table.markdown)
