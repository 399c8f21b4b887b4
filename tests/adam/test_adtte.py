"""ADTTE rules of SAP 3 on a hand-built cohort whose every time is worked out by hand."""

import pandas as pd
import pytest

from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.adam.adtte import derive_adtte, endpoint_arrays
from sbrtlung.schemas.adam import Adles, Adsl, Adtte
from sbrtlung.validation.period import latest_date

from .cohort import MONTH


def row(adtte, paramcd, pid, lid=None):
    m = (adtte["PARAMCD"] == paramcd) & (adtte["USUBJID"] == pid)
    if lid is not None:
        m &= adtte["LESID"] == lid
    found = adtte[m]
    assert len(found) == 1, found
    r = found.iloc[0]
    return int(r["AVAL"]), int(r["EVNT"]), int(r["CNSR"])


# (PARAMCD, patient, lesion, AVAL days, EVNT, CNSR), each worked out on a calendar.
EXPECTED = [
    # Failure at the second scan, a 'controlled' scan later: the first failure counts.
    ("LF", "S01-001", "L1", 181, 1, 0),
    ("LF", "S01-001", "L2", 268, 0, 1),  # last scan 2022-10-10 - start 2022-01-15
    ("LFPT", "S01-001", None, 181, 1, 0),
    ("PFS", "S01-001", None, 181, 1, 0),
    ("OS", "S01-001", None, 325, 0, 1),  # last contact 2022-12-01 - TRTSDT 2022-01-10
    ("RR", "S01-001", None, 273, 0, 1),  # LSTASDT 2022-10-10
    ("DM", "S01-001", None, 273, 0, 1),
    # Death on the day of the last scan: competing for local failure, an event for PFS/OS.
    ("LF", "S01-002", "L1", 89, 2, 1),
    ("LFPT", "S01-002", None, 89, 2, 1),
    ("RR", "S01-002", None, 89, 2, 1),
    ("PFS", "S01-002", None, 89, 1, 0),
    ("OS", "S01-002", None, 89, 1, 0),
    # No scan at all: censored at the start; the untreated second lesion has no LF row.
    ("LF", "S01-003", "L1", 0, 0, 1),
    ("PFS", "S01-003", None, 0, 0, 1),
    ("LFPT", "S01-003", None, 0, 0, 1),
    ("OS", "S01-003", None, 31, 0, 1),
    # Same-day regional and distant events: both endpoints have their event that day.
    ("RR", "S01-005", None, 147, 1, 0),
    ("DM", "S01-005", None, 147, 1, 0),
    ("PFS", "S01-005", None, 147, 1, 0),
    ("LF", "S01-005", "L1", 181, 0, 1),
]


@pytest.mark.parametrize(("paramcd", "pid", "lid", "aval", "evnt", "cnsr"), EXPECTED)
def test_hand_worked_times(hand_built, paramcd, pid, lid, aval, evnt, cnsr):
    assert row(hand_built[2], paramcd, pid, lid) == (aval, evnt, cnsr)


def test_units_are_the_safety_set_and_its_treated_lesions(hand_built):
    adsl, _, adtte, _ = hand_built
    assert adsl.set_index("USUBJID")["SAFFL"].to_dict() == {
        "S01-001": True,
        "S01-002": True,
        "S01-003": True,
        "S01-004": False,  # no fraction delivered
        "S01-005": True,
    }
    assert "S01-004" not in set(adtte["USUBJID"])
    lf = adtte[adtte["PARAMCD"] == "LF"]
    assert sorted(zip(lf["USUBJID"], lf["LESID"], strict=True)) == [
        ("S01-001", "L1"),
        ("S01-001", "L2"),
        ("S01-002", "L1"),
        ("S01-003", "L1"),
        ("S01-005", "L1"),
    ]
    counts = adtte.groupby("PARAMCD").size().to_dict()
    assert counts == {"DM": 4, "LF": 5, "LFPT": 4, "OS": 4, "PFS": 4, "RR": 4}


def test_source_records_and_months(hand_built):
    adtte = hand_built[2]
    lf = adtte[(adtte["PARAMCD"] == "LF") & (adtte["USUBJID"] == "S01-001")].set_index("LESID")
    assert lf.loc["L1", ["SRCDOM", "SRCVAR", "SRCSEQ"]].tolist() == [
        "imaging",
        "assessment_date",
        3,
    ]
    assert lf.loc["L2", ["SRCDOM", "SRCSEQ"]].tolist() == ["imaging", 6]
    pfs = adtte[(adtte["PARAMCD"] == "PFS") & (adtte["USUBJID"] == "S01-005")].iloc[0]
    assert pfs["EVNTDESC"] == "regional progression"  # source order breaks the same-day tie
    assert pfs["SRCSEQ"] == 2
    os_ = adtte[(adtte["PARAMCD"] == "OS") & (adtte["USUBJID"] == "S01-002")].iloc[0]
    assert (os_["SRCDOM"], os_["SRCVAR"]) == ("follow_up", "death_date")
    assert adtte["AVALM"].to_numpy() == pytest.approx(adtte["AVAL"].to_numpy() / MONTH)


def test_adsl_days_and_populations(hand_built):
    adsl = hand_built[0].set_index("USUBJID")
    p1 = adsl.loc["S01-001"]
    # Enrollment 2022-01-01 is day 0.
    assert (p1["TRTSDY"], p1["TRTEDY"], p1["LSTASDY"], p1["NSCAN"]) == (9, 24, 282, 3)
    assert bool(p1["EFFFL"]) and bool(p1["PPFL"])
    p3 = adsl.loc["S01-003"]
    assert not p3["EFFFL"] and not p3["PPFL"]  # no scan; one lesion got no fraction
    assert (p3["NLES"], p3["NLESTRT"]) == (2, 1)
    assert pd.isna(adsl.loc["S01-004", "TRTSDY"])
    p2 = adsl.loc["S01-002"]
    assert bool(p2["DTHFL"]) and p2["DTHDY"] == 120 and p2["LSTALVDY"] == 120


def test_datasets_meet_their_contracts(hand_built):
    adsl, adles, adtte, _ = hand_built
    Adsl.validate(adsl, lazy=True)
    Adles.validate(adles, lazy=True)
    Adtte.validate(adtte, lazy=True)


def test_data_cut_and_lost_to_follow_up(hand_built):
    _, adles, _, tables = hand_built
    # Six months (182.625 days) without contact before the cut: S01-003 (last contact on day
    # 90) and S01-004 (day 59) are lost; S01-005 (day 212) is not; S01-002 died.
    adsl = derive_adsl(tables, adles, cut=latest_date(tables), lost_after_days=182.625).set_index(
        "USUBJID"
    )
    assert adsl["LTFUFL"].to_dict() == {
        "S01-001": False,
        "S01-002": False,
        "S01-003": True,
        "S01-004": True,
        "S01-005": False,
    }
    # The latest date of any export is S01-001's last contact, 2022-12-01: day 334.
    assert set(adsl["DCUTDY"]) == {334}
    # With the default year without contact, nobody in this short cohort is lost.
    assert not hand_built[0]["LTFUFL"].any()


def test_origins_are_adsl_trtsdy_and_adles_startdy(hand_built):
    adsl, adles, adtte, _ = hand_built
    patient = adtte[adtte["PARAMCD"] != "LF"]
    trtsdy = patient["USUBJID"].map(adsl.set_index("USUBJID")["TRTSDY"])
    assert patient["STARTDY"].tolist() == trtsdy.tolist()
    lf = adtte[adtte["PARAMCD"] == "LF"].merge(adles, on=["USUBJID", "LESID"])
    assert lf["STARTDY_x"].tolist() == lf["STARTDY_y"].tolist()
    assert (adtte["ADY"] - adtte["STARTDY"] == adtte["AVAL"]).all()


def test_a_censoring_at_the_start_names_the_course_it_comes_from(hand_built):
    adtte = hand_built[2]
    # S01-003 was never scanned: censored at its first SBRT start, the course of L1 on row 4
    # of sbrt.csv (its L2 course, row 5, delivered nothing).
    for paramcd in ("PFS", "LF", "LFPT"):
        rows = adtte[(adtte["PARAMCD"] == paramcd) & (adtte["USUBJID"] == "S01-003")]
        assert rows[["SRCDOM", "SRCVAR", "SRCSEQ", "AVAL"]].values.tolist() == [
            ["sbrt", "start_date", 4, 0]
        ]


def test_the_first_start_of_two_same_day_courses_is_the_first_row(hand_built):
    adsl, adles, _, tables = hand_built
    # S01-001's L2 course also starts on the day of its L1 course (rows 1 and 2 of sbrt.csv).
    sbrt = tables["sbrt"].copy()
    sbrt.loc[1, "start_date"] = sbrt.loc[0, "start_date"]
    moved = tables | {"sbrt": sbrt, "imaging": tables["imaging"].iloc[:0]}
    adles = adles.copy()
    adles.loc[1, "STARTDY"] = adles.loc[0, "STARTDY"]
    adtte = derive_adtte(moved, adsl, adles, MONTH)
    pfs = adtte[(adtte["PARAMCD"] == "PFS") & (adtte["USUBJID"] == "S01-001")]
    assert pfs[["EVNTDESC", "SRCDOM", "SRCSEQ"]].values.tolist() == [
        ["first SBRT start (no follow-up scan)", "sbrt", 1]
    ]


def test_an_adsl_that_disagrees_with_adles_is_refused(hand_built):
    adsl, adles, _, tables = hand_built
    later = adsl.assign(TRTSDY=adsl["TRTSDY"] + 1)
    with pytest.raises(ValueError, match="TRTSDY"):
        derive_adtte(tables, later, adles, MONTH)


def test_the_arrays_from_the_exports_alone_are_adttes(hand_built):
    adtte, tables = hand_built[2], hand_built[3]
    arrays = endpoint_arrays(tables, {"OS", "PFS", "LF", "LFPT", "RR", "DM", "other"})
    assert set(arrays) == {"OS", "PFS", "LF", "LFPT", "RR", "DM"}
    for paramcd, (aval, evnt, patient) in arrays.items():
        rows = adtte[adtte["PARAMCD"] == paramcd]
        rows = rows.sort_values(["USUBJID", "LESID"], kind="stable", na_position="first")
        assert aval.tolist() == rows["AVAL"].tolist()
        assert evnt.tolist() == rows["EVNT"].tolist()
        assert len(set(patient)) == rows["USUBJID"].nunique()
