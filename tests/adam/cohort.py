"""Hand-built typed tables for derivation tests: a few patients whose answers are known."""

import pandas as pd

from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.adam.adtte import derive_adtte
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.period import latest_date

MONTH = 30.4375

DEFAULTS = {
    "patients": {
        "site_id": "S01",
        "enrollment_date": "2022-01-01",
        "age": 70,
        "sex": "male",
        "ecog": 1,
        "smoking": "former",
        "pack_years": 30.0,
        "fev1_pct": 70.0,
        "dlco_pct": 60.0,
        "charlson": 2,
        "surgery_date": "2021-06-01",
        "surgery_type": "lobectomy",
        "primary_histology": "adenocarcinoma",
        "primary_pstage": "ia2",
        "inoperable_reason": "comorbidity",
    },
    "lesions": {
        "lobe": "rul",
        "diameter_mm": 12.0,
        "consolidation_ratio": 0.5,
        "location": "peripheral",
        "diagnosis": "clinical",
        "histology": "unknown",
    },
    "sbrt": {
        "dose_gy": 50.0,
        "fractions_planned": 5,
        "fractions_delivered": 5,
        "technique": "vmat",
    },
    "imaging": {"modality": "ct", "confirmation": None},
    "progression": {"location": "other", "confirmation": "ct"},
    "adverse_events": {"serious": "no", "end_date": None, "attribution": "probable"},
    "labs": {},
    "follow_up": {"vital_status": "alive", "death_date": None, "cause_of_death": None},
    "screening": {},
}


def typed(name: str, rows: list[dict]) -> pd.DataFrame:
    """A frame of export `name` with the model's columns and dtypes, defaults filled in."""
    columns = EXPORTS[name].to_schema().columns
    frame = pd.DataFrame([{**DEFAULTS[name], **row} for row in rows], columns=list(columns))
    for column, spec in columns.items():
        kind = str(spec.dtype)
        if kind.startswith("datetime"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
        elif kind == "Int64":
            frame[column] = frame[column].astype("Int64")
        elif kind == "float64":
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def cohort(**rows: list[dict]) -> dict[str, pd.DataFrame]:
    """All nine tables; each keyword gives the rows of one export (others are empty)."""
    return {name: typed(name, rows.get(name, [])) for name in EXPORTS}


def scan(pid, lid, date, status="controlled", confirmation=None):
    return {
        "patient_id": pid,
        "lesion_id": lid,
        "assessment_date": date,
        "local_status": status,
        "confirmation": confirmation,
    }


def course(pid, lid, start, end, delivered=5):
    return {
        "patient_id": pid,
        "lesion_id": lid,
        "start_date": start,
        "end_date": end,
        "fractions_delivered": delivered,
    }


def hand_built() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """ADSL, ADLES and ADTTE of five patients whose every time is worked out by hand, and the
    typed tables they come from."""
    pids = [f"S01-00{i}" for i in range(1, 6)]
    tables = cohort(
        patients=[{"patient_id": p} for p in pids],
        lesions=[
            {"patient_id": "S01-001", "lesion_id": "L1"},
            {"patient_id": "S01-001", "lesion_id": "L2"},
            {"patient_id": "S01-002", "lesion_id": "L1"},
            {"patient_id": "S01-003", "lesion_id": "L1"},
            {"patient_id": "S01-003", "lesion_id": "L2"},
            {"patient_id": "S01-004", "lesion_id": "L1"},
            {"patient_id": "S01-005", "lesion_id": "L1"},
        ],
        sbrt=[
            course("S01-001", "L1", "2022-01-10", "2022-01-20"),
            course("S01-001", "L2", "2022-01-15", "2022-01-25"),
            course("S01-002", "L1", "2022-02-01", "2022-02-05"),
            course("S01-003", "L1", "2022-03-01", "2022-03-09"),
            course("S01-003", "L2", "2022-03-02", "2022-03-02", delivered=0),
            course("S01-004", "L1", "2022-01-20", "2022-01-20", delivered=0),
            course("S01-005", "L1", "2022-01-05", "2022-01-12"),
        ],
        imaging=[
            scan("S01-001", "L1", "2022-04-10"),
            scan("S01-001", "L2", "2022-04-10"),
            scan("S01-001", "L1", "2022-07-10", "failure", "pet"),  # row 3
            scan("S01-001", "L2", "2022-07-10"),
            scan("S01-001", "L1", "2022-10-10"),  # controlled after the failure
            scan("S01-001", "L2", "2022-10-10"),  # row 6
            scan("S01-002", "L1", "2022-05-01"),
            scan("S01-005", "L1", "2022-04-05"),
            scan("S01-005", "L1", "2022-07-05"),
        ],
        progression=[
            {"patient_id": "S01-005", "event_date": "2022-06-01", "site": "distant"},
            {"patient_id": "S01-005", "event_date": "2022-06-01", "site": "regional"},
        ],
        follow_up=[
            {"patient_id": "S01-001", "last_contact_date": "2022-12-01"},
            {
                "patient_id": "S01-002",
                "last_contact_date": "2022-05-01",
                "vital_status": "dead",
                "death_date": "2022-05-01",  # the day of the last scan
                "cause_of_death": "other",
            },
            {"patient_id": "S01-003", "last_contact_date": "2022-04-01"},
            {"patient_id": "S01-004", "last_contact_date": "2022-03-01"},
            {"patient_id": "S01-005", "last_contact_date": "2022-08-01"},
        ],
    )
    adles = derive_adles(tables)
    adsl = derive_adsl(tables, adles, cut=latest_date(tables))
    return adsl, adles, derive_adtte(tables, adsl, adles, MONTH), tables
