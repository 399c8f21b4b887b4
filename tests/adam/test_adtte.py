"""ADTTE rules of SAP 3 on a hand-built cohort whose every time is worked out by hand."""

import pandas as pd
import pytest

from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.schemas.adam import Adles, Adsl, Adtte

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
    adsl = derive_adsl(tables, adles, lost_after_days=182.625).set_index("USUBJID")
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
