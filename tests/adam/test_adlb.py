"""ADLB on hand-built patients: units, windows, indices and dynamics worked out by hand.

Every patient is enrolled on 2022-01-01 (study day 0) and treated from day 9 to day 19
(TRTSDY 9, TRTEDY 19), so the windows are, in study days: baseline -19..9, end of treatment
16..26, one month 35..63.
"""

import math

import pandas as pd
import pytest

from sbrtlung.adam.adlb import derive_adlb
from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.schemas.adam import Adlb
from sbrtlung.validation.period import latest_date

from .cohort import cohort

ENROLLED = pd.Timestamp("2022-01-01")
WINDOWS = {"baseline": [-28, 0], "end_of_treatment": [-3, 7], "one_month": [16, 44]}
TREATED, NEVER_TREATED = ["S01-001", "S01-002", "S01-004", "S01-005"], "S01-003"

# SAP 2.2, written out here rather than read from the vocabulary: analyte -> canonical
# (unit, value) and the accepted alternative (unit, value in that unit) of the same amount.
UNITS = {
    "wbc": (("10^9/L", 7.0), ("/uL", 7000.0)),
    "neutrophils": (("10^9/L", 4.0), ("/uL", 4000.0)),
    "lymphocytes": (("10^9/L", 2.0), ("/uL", 2000.0)),
    "monocytes": (("10^9/L", 0.5), ("/uL", 500.0)),
    "platelets": (("10^9/L", 250.0), ("/uL", 250000.0)),
    "hemoglobin": (("g/L", 130.0), ("g/dL", 13.0)),
    "albumin": (("g/L", 40.0), ("g/dL", 4.0)),
    "crp": (("mg/L", 3.0), ("mg/dL", 0.3)),
    "ldh": (("U/L", 180.0), ("U/L", 180.0)),  # no alternative unit
    "cea": (("ng/mL", 2.0), ("ug/L", 2.0)),
    "cyfra21_1": (("ng/mL", 2.5), ("ug/L", 2.5)),
    "nse": (("ng/mL", 12.0), ("ug/L", 12.0)),
    "scc": (("ng/mL", 1.0), ("ug/L", 1.0)),
    "progrp": (("pg/mL", 40.0), ("ng/L", 40.0)),
}
# Hand-computed from the values above: NLR 4/2, PLR 250/2, LMR 2/0.5, SII 250*4/2, PNI 40+5*2.
INDICES = {"nlr": 2.0, "plr": 125.0, "lmr": 4.0, "sii": 500.0, "pni": 50.0}


def date(day: int) -> str:
    return (ENROLLED + pd.Timedelta(days=day)).strftime("%Y-%m-%d")


def lab(pid, timepoint, analyte, value, unit=None, day=5):
    unit = unit or UNITS[analyte][0][0]
    return {
        "patient_id": pid,
        "timepoint": timepoint,
        "sample_date": date(day),
        "analyte": analyte,
        "value": value,
        "unit": unit,
    }


def labs_rows() -> list[dict]:
    rows = []
    # S01-001: canonical units at baseline; NLR 2 -> 4 -> 1 and CRP 3 -> 12 mg/L.
    rows += [lab("S01-001", "baseline", a, units[0][1]) for a, units in UNITS.items()]
    rows += [
        lab("S01-001", "end_of_treatment", "neutrophils", 8.0, day=19),
        lab("S01-001", "end_of_treatment", "lymphocytes", 2.0, day=19),
        lab("S01-001", "end_of_treatment", "crp", 1.2, "mg/dL", day=19),
        lab("S01-001", "one_month", "neutrophils", 1.0, day=40),
        lab("S01-001", "one_month", "lymphocytes", 1.0, day=40),
    ]
    # S01-002: the same amounts in the alternative units.
    rows += [lab("S01-002", "baseline", a, u[1][1], u[1][0]) for a, u in UNITS.items()]
    # S01-003: never treated, sampled anyway.
    rows += [lab(NEVER_TREATED, "baseline", "wbc", 6.0)]
    # S01-004: window edges (wbc, hemoglobin in; ldh, cea one day beyond) ...
    for timepoint, (first, last) in {
        "baseline": (-19, 9),
        "end_of_treatment": (16, 26),
        "one_month": (35, 63),
    }.items():
        rows += [
            lab("S01-004", timepoint, "wbc", 7.0, day=first),
            lab("S01-004", timepoint, "hemoglobin", 130.0, day=last),
            lab("S01-004", timepoint, "ldh", 180.0, day=first - 1),
            lab("S01-004", timepoint, "cea", 2.0, day=last + 1),
        ]
    # ... and indices at the end of treatment: lymphocytes late (day 27, out of window),
    # monocytes missing.
    rows += [
        lab("S01-004", "end_of_treatment", "neutrophils", 4.0, day=21),
        lab("S01-004", "end_of_treatment", "lymphocytes", 2.0, day=27),
        lab("S01-004", "end_of_treatment", "platelets", 250.0, day=20),
        lab("S01-004", "end_of_treatment", "albumin", 40.0, day=22),
    ]
    # S01-005: zero lymphocytes.
    rows += [
        lab("S01-005", "baseline", "neutrophils", 3.0),
        lab("S01-005", "baseline", "lymphocytes", 0.0),
        lab("S01-005", "baseline", "monocytes", 0.4),
        lab("S01-005", "baseline", "platelets", 200.0),
        lab("S01-005", "baseline", "albumin", 35.0),
    ]
    return rows


def tables():
    pids = [*TREATED, NEVER_TREATED]
    course = {"start_date": "2022-01-10", "end_date": "2022-01-20"}
    return cohort(
        patients=[{"patient_id": p} for p in pids],
        lesions=[{"patient_id": p, "lesion_id": "L1"} for p in pids]
        + [{"patient_id": "S01-001", "lesion_id": "L2"}],
        sbrt=[
            {"patient_id": p, "lesion_id": "L1", **course}
            | ({"fractions_delivered": 0} if p == NEVER_TREATED else {})
            for p in pids
        ]
        # A later course that delivered nothing does not move the last SBRT end.
        + [
            {
                "patient_id": "S01-001",
                "lesion_id": "L2",
                "start_date": "2022-01-25",
                "end_date": "2022-01-25",
                "fractions_delivered": 0,
            }
        ],
        labs=labs_rows(),
        follow_up=[{"patient_id": p, "last_contact_date": "2022-06-01"} for p in pids],
    )


def derive(drop: bool = False) -> pd.DataFrame:
    raw = tables()
    adles = derive_adles(raw)
    adsl = derive_adsl(raw, adles, cut=latest_date(raw))
    return derive_adlb(raw, adsl, WINDOWS, drop)


@pytest.fixture(scope="module")
def adlb():
    return derive()


def get(adlb, pid, marker, timepoint="baseline"):
    found = adlb[
        (adlb["USUBJID"] == pid) & (adlb["PARAMCD"] == marker) & (adlb["TIMEPOINT"] == timepoint)
    ]
    assert len(found) == 1, found
    return found.iloc[0]


def absent(adlb, pid, marker, timepoint="baseline"):
    return not (
        (adlb["USUBJID"] == pid) & (adlb["PARAMCD"] == marker) & (adlb["TIMEPOINT"] == timepoint)
    ).any()


def test_adlb_meets_its_contract(adlb):
    Adlb.validate(adlb, lazy=True)


CONVERSIONS = [
    (pid, analyte, units[k][0], units[0][1])
    for analyte, units in UNITS.items()
    for k, pid in enumerate(("S01-001", "S01-002"))
]


@pytest.mark.parametrize(("pid", "analyte", "unit", "expected"), CONVERSIONS)
def test_each_unit_converts_to_the_canonical_value(adlb, pid, analyte, unit, expected):
    row = get(adlb, pid, analyte)
    assert row["AVAL"] == pytest.approx(expected, rel=1e-12), unit
    assert row["AVALU"] == UNITS[analyte][0][0]


@pytest.mark.parametrize("pid", ["S01-001", "S01-002"])
@pytest.mark.parametrize(("index", "expected"), INDICES.items())
def test_indices_equal_hand_computed_values(adlb, pid, index, expected):
    row = get(adlb, pid, index)
    assert row["AVAL"] == pytest.approx(expected, rel=1e-12)
    assert row["PARAMTYP"] == "derived"
    assert bool(row["INWINFL"])


WINDOW_CASES = [
    # (timepoint, analyte, study day, days from the window's reference, in window)
    ("baseline", "wbc", -19, -28, True),
    ("baseline", "hemoglobin", 9, 0, True),
    ("baseline", "ldh", -20, -29, False),
    ("baseline", "cea", 10, 1, False),
    ("end_of_treatment", "wbc", 16, -3, True),
    ("end_of_treatment", "hemoglobin", 26, 7, True),
    ("end_of_treatment", "ldh", 15, -4, False),
    ("end_of_treatment", "cea", 27, 8, False),
    ("one_month", "wbc", 35, 16, True),
    ("one_month", "hemoglobin", 63, 44, True),
    ("one_month", "ldh", 34, 15, False),
    ("one_month", "cea", 64, 45, False),
]


@pytest.mark.parametrize(("timepoint", "analyte", "day", "windy", "inside"), WINDOW_CASES)
def test_window_edges_are_in_and_a_day_beyond_is_out(adlb, timepoint, analyte, day, windy, inside):
    row = get(adlb, "S01-004", analyte, timepoint)
    assert (row["ADY"], row["WINDY"], bool(row["INWINFL"])) == (day, windy, inside)


def test_post_treatment_windows_count_from_the_last_treated_course(adlb):
    """S01-001's untreated second course ends on day 24; the reference stays day 19."""
    assert get(adlb, "S01-001", "nlr", "end_of_treatment")["WINDY"] == 0


@pytest.mark.parametrize("index", ["nlr", "plr", "sii", "pni"])
def test_index_is_dated_by_its_latest_component_and_out_if_any_component_is(adlb, index):
    row = get(adlb, "S01-004", index, "end_of_treatment")
    assert (row["ADY"], row["WINDY"], bool(row["INWINFL"])) == (27, 8, False)
    assert pd.isna(row["SRCSEQ"])


def test_missing_component_gives_no_index(adlb):
    assert absent(adlb, "S01-004", "lmr", "end_of_treatment")
    assert absent(adlb, "S01-001", "lmr", "end_of_treatment")  # no monocytes either


def test_zero_lymphocytes_give_no_ratio_over_them(adlb):
    for index in ("nlr", "plr", "sii"):
        assert absent(adlb, "S01-005", index)
    assert get(adlb, "S01-005", "lmr")["AVAL"] == 0.0
    assert get(adlb, "S01-005", "pni")["AVAL"] == pytest.approx(35.0)


def test_log2_change_is_hand_computed(adlb):
    nlr_end = get(adlb, "S01-001", "nlr", "end_of_treatment")
    assert (nlr_end["AVAL"], nlr_end["BASE"], nlr_end["LOG2CHG"]) == pytest.approx((4, 2, 1))
    assert get(adlb, "S01-001", "nlr", "one_month")["LOG2CHG"] == pytest.approx(-1.0)
    crp_end = get(adlb, "S01-001", "crp", "end_of_treatment")  # 1.2 mg/dL = 12 mg/L
    assert crp_end["LOG2CHG"] == pytest.approx(math.log2(12 / 3))
    baseline = adlb[adlb["TIMEPOINT"] == "baseline"]
    assert baseline["LOG2CHG"].isna().all()
    assert (baseline["BASE"] == baseline["AVAL"]).all()


def test_change_without_baseline_is_missing(adlb):
    row = get(adlb, "S01-004", "neutrophils", "end_of_treatment")
    assert pd.isna(row["BASE"]) and pd.isna(row["LOG2CHG"])


def test_never_treated_patients_are_not_analysed(adlb):
    assert NEVER_TREATED not in set(adlb["USUBJID"])
    assert set(adlb["USUBJID"]) == set(TREATED)


def test_drop_switch_removes_out_of_window_samples_before_the_indices():
    kept, dropped = derive(drop=False), derive(drop=True)
    assert dropped["INWINFL"].all()
    assert len(kept) - len(dropped) == (~kept["INWINFL"]).sum()
    for index in ("nlr", "plr", "sii", "pni"):  # their lymphocytes were out of window
        assert absent(dropped, "S01-004", index, "end_of_treatment")
    assert absent(dropped, "S01-004", "lymphocytes", "end_of_treatment")
    assert not absent(dropped, "S01-004", "neutrophils", "end_of_treatment")
    in_window = kept[kept["INWINFL"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(dropped.reset_index(drop=True), in_window)
