"""Hand-built typed tables for derivation tests: a few patients whose answers are known."""

import pandas as pd

from sbrtlung.schemas.raw import EXPORTS

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
