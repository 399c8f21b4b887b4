"""ADAE phases and relatedness, and the ADLES dose arithmetic of SAP 3."""

import pytest

from sbrtlung.adam.adae import derive_adae
from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.schemas.adam import Adae, Adles
from sbrtlung.validation.period import latest_date

from .cohort import cohort


def ae(ae_id, onset, attribution, grade=1, pid="S01-001"):
    return {
        "patient_id": pid,
        "ae_id": ae_id,
        "term": "pneumonitis",
        "grade": grade,
        "onset_date": onset,
        "attribution": attribution,
    }


@pytest.fixture(scope="module")
def tables():
    return cohort(
        patients=[{"patient_id": "S01-001"}, {"patient_id": "S01-002"}],
        lesions=[
            {"patient_id": "S01-001", "lesion_id": "L1"},
            {"patient_id": "S01-001", "lesion_id": "L2"},
            {"patient_id": "S01-002", "lesion_id": "L1"},
        ],
        sbrt=[
            # 60 Gy in 8 planned, 6 delivered: D = 45, d = 7.5, BED10 = 45 * 1.75 = 78.75.
            {
                "patient_id": "S01-001",
                "lesion_id": "L1",
                "start_date": "2022-01-03",
                "end_date": "2022-01-14",
                "dose_gy": 60.0,
                "fractions_planned": 8,
                "fractions_delivered": 6,
            },
            # 54 Gy in 3: D = 54, d = 18, BED10 = 54 * 2.8 = 151.2, EQD2 = 126.
            {
                "patient_id": "S01-001",
                "lesion_id": "L2",
                "start_date": "2022-01-05",
                "end_date": "2022-01-20",
                "dose_gy": 54.0,
                "fractions_planned": 3,
                "fractions_delivered": 3,
            },
        ],
        adverse_events=[
            ae("A1", "2022-04-20", "possible"),  # TRTEDT 2022-01-20 + 90 days: acute
            ae("A2", "2022-04-21", "unlikely", grade=3),  # day 91: late, not related
            ae("A3", "2022-01-10", "definite", grade=2),  # during SBRT: acute
        ],
        follow_up=[
            {"patient_id": "S01-001", "last_contact_date": "2022-12-01"},
            {"patient_id": "S01-002", "last_contact_date": "2022-12-01"},
        ],
    )


def test_dose_arithmetic(tables):
    adles = derive_adles(tables).set_index(["USUBJID", "LESID"])
    l1, l2 = adles.loc[("S01-001", "L1")], adles.loc[("S01-001", "L2")]
    assert (l1["DOSEDLV"], l1["DOSEPFX"], l1["BED10"]) == pytest.approx((45.0, 7.5, 78.75))
    assert l1["EQD2"] == pytest.approx(78.75 / 1.2)
    assert (l2["BED10"], l2["EQD2"]) == pytest.approx((151.2, 126.0))
    assert (l1["DURDY"], bool(l1["COMPLFL"]), bool(l2["COMPLFL"])) == (12, False, True)
    untreated = adles.loc[("S01-002", "L1")]
    assert not untreated["COURSEFL"] and not untreated["TRTFL"]
    Adles.validate(derive_adles(tables), lazy=True)


def test_adae_phase_and_relatedness(tables):
    adles = derive_adles(tables)
    adsl = derive_adsl(tables, adles, cut=latest_date(tables))
    assert adsl.set_index("USUBJID").loc["S01-001", "MINBED10"] == pytest.approx(78.75)
    adae = derive_adae(tables, adsl, acute_days=90).set_index("AEID")
    assert adae["PHASE"].to_dict() == {"A1": "acute", "A2": "late", "A3": "acute"}
    assert adae["ONSETEND"].tolist() == [90, 91, -10]
    assert adae["TRAEFL"].to_dict() == {"A1": True, "A2": False, "A3": True}
    Adae.validate(adae.reset_index(), lazy=True)
