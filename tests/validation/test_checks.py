"""Each rule of the contract, one minimal mutation of the clean folder at a time."""

import re
from pathlib import Path

import pytest

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.checks import PERIOD, REQUIRED_EXPORTS, RULES, rules_table, run_rules
from sbrtlung.validation.period import study_period

from .factory import clean_rows, fatal, gate_config, lab_index, validate_rows, warn
from .test_corpus import CASES as CORPUS

# --- mutations: each takes the rows (stem -> list of row dicts) and changes them in place -----


def setv(stem, index, **values):
    def mutate(rows):
        rows[stem][index].update(values)

    return mutate


def append(stem, index, **values):
    def mutate(rows):
        rows[stem].append({**rows[stem][index], **values})

    return mutate


def drop(stem, patient, **match):
    def mutate(rows):
        rows[stem] = [
            r
            for r in rows[stem]
            if not (r["patient_id"] == patient and all(r[k] == x for k, x in match.items()))
        ]

    return mutate


def set_lab(patient, timepoint, analyte, **values):
    def mutate(rows):
        rows["labs"][lab_index(rows, patient, timepoint, analyte)].update(values)

    return mutate


def chain(*mutations):
    def mutate(rows):
        for m in mutations:
            m(rows)

    return mutate


UNTREAT_S02 = chain(setv("sbrt", 3, fractions_delivered="0"), drop("imaging", "S02-001"))
S01_001_L2_SCANS = [
    ("imaging.csv", row, "lesion_id", "imaging_untreated_lesion") for row in (2, 4, 6, 8)
]
UNKNOWN_ROWS = {
    "screening": 5,
    "lesions": 5,
    "sbrt": 5,
    "imaging": 15,
    "progression": 2,
    "adverse_events": 5,
    "labs": 127,
    "follow_up": 4,
}


def empty_all(rows):
    for stem in rows:
        rows[stem] = []


def untreat_everyone(rows):
    for row in rows["sbrt"]:
        row["fractions_delivered"] = "0"
    for stem in ("imaging", "progression", "adverse_events", "labs"):
        rows[stem] = []


FATAL_CASES = [
    ("header_only_delivery", empty_all,
     [(f"{stem}.csv", 0, "", "empty_export") for stem in REQUIRED_EXPORTS]),
    ("nobody_treated", untreat_everyone,
     [("sbrt.csv", 0, "fractions_delivered", "no_treated_patient"),
      ("imaging.csv", 0, "", "empty_export")]),
    # Within one file.
    ("reason_missing", setv("screening", 1, exclusion_reason=""),
     [("screening.csv", 2, "exclusion_reason", "exclusion_reason_iff_not_eligible")]),
    ("reason_when_eligible", setv("screening", 0, exclusion_reason="other"),
     [("screening.csv", 1, "exclusion_reason", "exclusion_reason_iff_not_eligible")]),
    ("screened_twice", append("screening", 0, screening_id="SCR-005"),
     [("screening.csv", 1, "patient_id", "duplicate_key"),
      ("screening.csv", 5, "patient_id", "duplicate_key")]),
    ("enrolled_not_eligible", setv("screening", 0, eligible="no", exclusion_reason="other"),
     [("screening.csv", 1, "patient_id", "patient_id_only_if_eligible"),
      ("patients.csv", 1, "patient_id", "screened_not_eligible")]),
    ("prefix_not_site",
     chain(setv("patients", 2, site_id="S03"), setv("screening", 3, site_id="S03")),
     [("patients.csv", 3, "patient_id", "patient_id_prefix")]),
    ("never_smoker_pack_years", setv("patients", 1, pack_years="5"),
     [("patients.csv", 2, "pack_years", "pack_years_iff_never")]),
    ("smoker_zero_pack_years", setv("patients", 0, pack_years="0"),
     [("patients.csv", 1, "pack_years", "pack_years_iff_never")]),
    ("fractions_over_planned", setv("sbrt", 3, fractions_delivered="9"),
     [("sbrt.csv", 4, "fractions_delivered", "fractions_delivered_le_planned")]),
    ("failure_unconfirmed", setv("imaging", 6, confirmation=""),
     [("imaging.csv", 7, "confirmation", "confirmation_iff_failure")]),
    ("confirmed_control", setv("imaging", 0, confirmation="ct"),
     [("imaging.csv", 1, "confirmation", "confirmation_iff_failure")]),
    ("dead_no_date", setv("follow_up", 1, death_date=""),
     [("follow_up.csv", 2, "death_date", "death_date_iff_dead")]),
    ("alive_with_cause", setv("follow_up", 0, cause_of_death="other"),
     [("follow_up.csv", 1, "cause_of_death", "cause_of_death_iff_dead")]),
    # Keys that must exist elsewhere.
    *[
        (f"unknown_patient_{stem}", append(stem, 0, patient_id="S01-099", **extra),
         [(f"{stem}.csv", row, "patient_id", "unknown_patient")])
        for stem, row in UNKNOWN_ROWS.items()
        for extra in [{"screening_id": "SCR-099"} if stem == "screening" else {}]
    ],
    ("unknown_lesion_course", append("sbrt", 0, lesion_id="L3"),
     [("sbrt.csv", 5, "lesion_id", "unknown_lesion")]),
    ("unknown_lesion_scan", setv("imaging", 13, lesion_id="L2"),
     [("imaging.csv", 14, "lesion_id", "unknown_lesion")]),
    ("not_screened", setv("screening", 0, patient_id=""),
     [("patients.csv", 1, "patient_id", "not_screened")]),
    ("screened_elsewhere", setv("screening", 3, site_id="S01"),
     [("patients.csv", 3, "site_id", "screening_site_mismatch")]),
    ("no_lesion",
     chain(*(drop(stem, "S02-001") for stem in ("lesions", "sbrt", "imaging", "adverse_events"))),
     [("patients.csv", 3, "patient_id", "no_lesion")]),
    ("no_follow_up", drop("follow_up", "S02-001"),
     [("patients.csv", 3, "patient_id", "no_follow_up")]),
    # Dates in order.
    ("enrolled_before_surgery", setv("patients", 0, surgery_date="2021-03-05"),
     [("patients.csv", 1, "enrollment_date", "enrollment_before_surgery")]),
    ("sbrt_before_enrollment", setv("sbrt", 0, start_date="2021-02-25"),
     [("sbrt.csv", 1, "start_date", "sbrt_before_enrollment")]),
    ("sbrt_end_before_start", setv("sbrt", 0, end_date="2021-03-07"),
     [("sbrt.csv", 1, "end_date", "sbrt_end_before_start")]),
    ("scan_of_lesion_without_fraction", setv("sbrt", 1, fractions_delivered="0"), S01_001_L2_SCANS),
    ("scan_of_lesion_without_course", drop("sbrt", "S01-001", lesion_id="L2"), S01_001_L2_SCANS),
    ("scan_on_start_day", setv("imaging", 0, assessment_date="2021-03-08"),
     [("imaging.csv", 1, "assessment_date", "imaging_not_after_start")]),
    ("progression_on_start_day", setv("progression", 0, event_date="2021-04-12"),
     [("progression.csv", 1, "event_date", "progression_not_after_treatment")]),
    ("ae_before_start", setv("adverse_events", 1, onset_date="2021-03-07"),
     [("adverse_events.csv", 2, "onset_date", "ae_before_treatment")]),
    ("ae_never_treated", UNTREAT_S02,
     [("adverse_events.csv", 4, "patient_id", "ae_untreated")]),
    ("ae_ends_before_onset", setv("adverse_events", 0, end_date="2021-05-19"),
     [("adverse_events.csv", 1, "end_date", "ae_end_before_onset")]),
    ("scan_after_death", setv("imaging", 10, assessment_date="2022-05-03"),
     [("imaging.csv", 11, "assessment_date", "after_death")]),
    ("contact_after_death", setv("follow_up", 1, last_contact_date="2022-05-10"),
     [("follow_up.csv", 2, "last_contact_date", "after_death")]),
    ("ae_end_after_death", setv("adverse_events", 2, end_date="2022-06-01"),
     [("adverse_events.csv", 3, "end_date", "after_death")]),
    ("progression_after_death", setv("progression", 0, event_date="2022-05-03"),
     [("progression.csv", 1, "event_date", "after_death")]),
    ("scan_after_last_contact", setv("imaging", 13, assessment_date="2022-07-01"),
     [("imaging.csv", 14, "assessment_date", "after_last_contact")]),
    ("last_contact_too_early", setv("follow_up", 0, last_contact_date="2022-03-01"),
     [("imaging.csv", 7, "assessment_date", "after_last_contact"),
      ("imaging.csv", 8, "assessment_date", "after_last_contact")]),
    ("ae_end_after_last_contact", setv("adverse_events", 3, end_date="2022-07-15"),
     [("adverse_events.csv", 4, "end_date", "after_last_contact")]),
    ("grade5_alive", setv("adverse_events", 3, grade="5"),
     [("adverse_events.csv", 4, "grade", "grade5_not_dead")]),
    ("unit_of_other_analyte", set_lab("S01-001", "baseline", "ldh", unit="g/L"),
     [("labs.csv", 9, "unit", "unit_not_allowed")]),
    # Column contract (pandera), including the duplicated keys of SAP 2.1.
    ("age_out_of_range", setv("patients", 0, age="101"),
     [("patients.csv", 1, "age", "in_range(18, 100)")]),
    ("age_missing", setv("patients", 0, age=""), [("patients.csv", 1, "age", "not_nullable")]),
    ("sex_not_a_code", setv("patients", 0, sex="other"),
     [("patients.csv", 1, "sex", "isin(['female', 'male'])")]),
    ("site_form", setv("screening", 1, site_id="S1"),
     [("screening.csv", 2, "site_id", r"str_matches('^S\d{2}$')")]),
    ("negative_lab_value", set_lab("S01-001", "baseline", "crp", value="-1"),
     [("labs.csv", 8, "value", "greater_than_or_equal_to(0)")]),
    ("screening_id_twice", setv("screening", 1, screening_id="SCR-001"),
     [("screening.csv", 1, "screening_id", "unique"),
      ("screening.csv", 2, "screening_id", "unique")]),
    ("lesion_twice", append("lesions", 0, lobe="rml"),
     [("lesions.csv", 1, "patient_id+lesion_id", "unique(patient_id, lesion_id)"),
      ("lesions.csv", 5, "patient_id+lesion_id", "unique(patient_id, lesion_id)")]),
    ("two_courses_one_lesion", append("sbrt", 0),
     [("sbrt.csv", 1, "patient_id+lesion_id", "unique(patient_id, lesion_id)"),
      ("sbrt.csv", 5, "patient_id+lesion_id", "unique(patient_id, lesion_id)")]),
    ("lab_twice", append("labs", 0, value="7.0"),
     [("labs.csv", 1, "patient_id+timepoint+analyte", "unique(patient_id, timepoint, analyte)"),
      ("labs.csv", 127, "patient_id+timepoint+analyte", "unique(patient_id, timepoint, analyte)")]),
    ("follow_up_twice", append("follow_up", 0),
     [("follow_up.csv", 1, "patient_id", "unique"), ("follow_up.csv", 4, "patient_id", "unique")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected"), [pytest.param(m, e, id=name) for name, m, e in FATAL_CASES]
)
def test_fatal_rule(tmp_path, mutate, expected):
    rows = clean_rows()
    mutate(rows)
    _, findings = validate_rows(rows, tmp_path)
    assert sorted(fatal(findings)) == sorted(expected)


def _lab_case(timepoint, date, flagged):
    row = 1 + lab_index(clean_rows(), "S01-001", timepoint, "crp")
    expected = [("labs.csv", row, "sample_date", "lab_out_of_window")] if flagged else []
    name = f"{timepoint}_{date}_{'out' if flagged else 'in'}"
    return (name, set_lab("S01-001", timepoint, "crp", sample_date=date), expected, {})


# S01-001: TRTSDT 2021-03-08, TRTEDT 2021-03-19; windows [-28, 0], [-3, 7], [16, 44].
LAB_WINDOW_CASES = [
    _lab_case("baseline", "2021-02-08", False),
    _lab_case("baseline", "2021-02-07", True),
    _lab_case("baseline", "2021-03-08", False),
    _lab_case("baseline", "2021-03-09", True),
    _lab_case("end_of_treatment", "2021-03-16", False),
    _lab_case("end_of_treatment", "2021-03-15", True),
    _lab_case("end_of_treatment", "2021-03-26", False),
    _lab_case("end_of_treatment", "2021-03-27", True),
    _lab_case("one_month", "2021-04-04", False),
    _lab_case("one_month", "2021-04-03", True),
    _lab_case("one_month", "2021-05-02", False),
    _lab_case("one_month", "2021-05-03", True),
]
# S02-001: scans on days 102, 193, 284 after TRTSDT 2021-05-10; without the middle one the
# gap is 182 days (not over 182.625); moving the last one two days later makes it 184.
GAP = chain(drop("imaging", "S02-001", assessment_date="2021-11-19"),
            setv("imaging", 12, assessment_date="2022-02-20"))  # fmt: skip
WARN_CASES = [
    *LAB_WINDOW_CASES,
    ("lab_windows_from_config", set_lab("S01-001", "one_month", "crp", sample_date="2021-04-20"),
     [("labs.csv", 36, "sample_date", "lab_out_of_window")],
     {"lab_windows": {"one_month": [16, 31]}}),
    ("course_over_limit", lambda rows: None,
     [("sbrt.csv", 4, "end_date", "long_course")], {"quality": {"max_course_days": 11}}),
    ("course_at_limit", lambda rows: None, [], {"quality": {"max_course_days": 12}}),
    ("fraction_missed", setv("sbrt", 2, fractions_delivered="2"),
     [("sbrt.csv", 3, "fractions_delivered", "incomplete_course")], {}),
    ("scan_gap_at_limit", drop("imaging", "S02-001", assessment_date="2021-11-19"), [], {}),
    ("scan_gap", GAP, [("imaging.csv", 13, "assessment_date", "scan_gap")], {}),
    ("scan_gap_beyond_horizon", GAP, [], {"horizon_days": 200}),
    ("no_scan", drop("imaging", "S02-001"),
     [("patients.csv", 3, "patient_id", "no_follow_up_scan")], {}),
    ("analyte_missing", drop("labs", "S01-001", timepoint="baseline", analyte="crp"),
     [("labs.csv", 0, "analyte", "missing_analyte")], {}),
    ("never_treated",
     chain(UNTREAT_S02, drop("adverse_events", "S02-001"),
           append("progression", 0, patient_id="S02-001", event_date="2021-12-02")),
     [("sbrt.csv", 4, "fractions_delivered", "incomplete_course"),
      ("progression.csv", 2, "patient_id", "progression_untreated"),
      *[("labs.csv", row, "patient_id", "lab_untreated") for row in range(85, 127)]], {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected", "overrides"),
    [pytest.param(m, e, o, id=name) for name, m, e, o in WARN_CASES],
)
def test_warn_rule(tmp_path, mutate, expected, overrides):
    rows = clean_rows()
    mutate(rows)
    _, findings = validate_rows(rows, tmp_path, **overrides)
    assert fatal(findings) == []
    assert (findings["severity"] == "WARN").all()
    assert sorted(warn(findings)) == sorted(expected)


def test_missing_analyte_names_patient_and_timepoint(tmp_path):
    rows = clean_rows()
    drop("labs", "S01-002", timepoint="one_month", analyte="albumin")(rows)
    drop("labs", "S01-002", timepoint="one_month", analyte="ldh")(rows)
    _, findings = validate_rows(rows, tmp_path)
    assert findings["value"].tolist() == ["S01-002, one_month, albumin", "S01-002, one_month, ldh"]


def test_every_rule_has_a_mutation_test():
    tested = {e[3] for _, _, expected in FATAL_CASES for e in expected}
    tested |= {e[3] for _, _, expected, _ in WARN_CASES for e in expected}
    tested |= {e[4] for case in CORPUS for e in case.expected}  # test_corpus.py
    assert {rule.id for rule in RULES} <= tested


def test_messages_say_what_was_found(tmp_path):
    rows = clean_rows()
    setv("sbrt", 0, start_date="2021-02-25")(rows)
    _, findings = validate_rows(rows, tmp_path)
    (message,) = findings.loc[findings["severity"] == "FATAL", "message"]
    assert "before the patient's enrollment" in message
    assert "2021-03-01" in message


def test_rules_table_describes_every_rule():
    table = rules_table()
    assert list(table.columns) == ["id", "severity", "file", "column", "description"]
    assert len(table) == len(RULES)
    assert not table.duplicated(["id", "file", "column"]).any()
    assert table["id"].map(lambda i: re.fullmatch(r"[a-z][a-z0-9_]*", i) is not None).all()
    assert set(table["severity"]) == {"FATAL", "WARN"}
    for file, column in zip(table["file"], table["column"], strict=True):
        assert column in [*EXPORTS[file.removesuffix(".csv")].to_schema().columns, ""]
    assert (table["description"].str.len() > 10).all()


def test_docs_list_every_rule_with_its_description():
    doc = (Path(__file__).parents[2] / "docs" / "data_contract.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| `{rule.id}` |" in doc
        assert rule.description in doc, rule.id


def test_each_check_reads_only_the_tables_it_declares(tmp_path):
    tables, _ = validate_rows(clean_rows(), tmp_path)
    config = gate_config(tmp_path)
    context = {**config, PERIOD: study_period(config)}
    for rule in RULES:
        assert rule.file in rule.needs
        rule.check({stem: tables[stem] for stem in rule.needs}, context)


def test_rules_skip_a_missing_table(tmp_path):
    tables, _ = validate_rows(clean_rows(), tmp_path)
    del tables["patients"]
    config = gate_config(tmp_path)
    assert run_rules(tables, config, study_period(config)) == []


def test_unreadable_values_are_reported_once_and_judged_by_no_rule(tmp_path):
    rows = clean_rows()
    for row in rows["sbrt"]:
        row.update(start_date="x", end_date="2021/03/01", fractions_delivered="?")
    for row in rows["follow_up"]:
        row.update(vital_status="Dead", last_contact_date="44000")
    setv("labs", 0, sample_date="", timepoint="")(rows)
    _, findings = validate_rows(rows, tmp_path)
    assert (findings["severity"] == "FATAL").all()
    cells = findings[["file", "row", "column"]]
    assert not cells.duplicated().any()
    expected_rules = {"date_format", "integer_format", "code_case", "not_nullable"}
    assert set(findings["rule"]) == expected_rules
