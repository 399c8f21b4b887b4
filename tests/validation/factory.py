"""A minimal, fully valid export folder written by hand, for mutation tests of the gate.

Three patients at two sites:

- S01-001: two lesions, both treated (TRTSDT 2021-03-08, TRTEDT 2021-03-19); local failure
  of L1 on 2021-03-15 of the next year; alive, last contact 2022-09-01.
- S01-002: one lesion (TRTSDT 2021-04-12, TRTEDT 2021-04-16); one distant progression;
  dead on 2022-05-02.
- S02-001: one lesion (TRTSDT 2021-05-10, TRTEDT 2021-05-21); alive, last contact
  2022-06-30.

A fourth screened patient was not eligible. Every patient has all analytes at all three
timepoints inside their windows, and scans every three months or so. Rows are plain dicts
of strings, exactly what goes into the CSV, so a test mutates them and writes the folder.
"""

import copy
import csv
from pathlib import Path

import pandas as pd

from sbrtlung import config
from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.gate import validate_exports

Rows = dict[str, list[dict[str, str]]]

_SCREENING = [
    ("SCR-001", "S01", "2021-02-20", "yes", "", "S01-001"),
    ("SCR-002", "S01", "2021-03-10", "no", "inclusion_not_met", ""),
    ("SCR-003", "S01", "2021-03-25", "yes", "", "S01-002"),
    ("SCR-004", "S02", "2021-04-28", "yes", "", "S02-001"),
]
_PATIENTS = [
    # patient, site, enrolled, age, sex, ecog, smoking, pack_years, fev1, dlco, charlson,
    # surgery, surgery_type, histology, pstage, inoperable_reason
    ("S01-001", "S01", "2021-03-01", "68", "male", "1", "former", "30", "72.5", "", "2",
     "2021-01-10", "lobectomy", "adenocarcinoma", "ia2", "pulmonary_function"),
    ("S01-002", "S01", "2021-04-01", "74", "female", "0", "never", "0", "", "", "1",
     "2021-02-01", "segmentectomy", "adenocarcinoma", "ib", "multiple_nodules"),
    ("S02-001", "S02", "2021-05-03", "61", "male", "2", "current", "40.5", "55", "48", "4",
     "2021-03-15", "wedge", "squamous", "iia", "comorbidity"),
]  # fmt: skip
_LESIONS = [
    ("S01-001", "L1", "rul", "12.5", "0.6", "peripheral", "pathological", "adenocarcinoma"),
    ("S01-001", "L2", "lll", "8", "0", "peripheral", "clinical", "unknown"),
    ("S01-002", "L1", "rml", "15", "1", "central", "pathological", "adenocarcinoma"),
    ("S02-001", "L1", "lul", "21", "0.9", "peripheral", "clinical", "squamous"),
]
_SBRT = [
    ("S01-001", "L1", "2021-03-08", "2021-03-12", "50", "5", "5", "vmat"),
    ("S01-001", "L2", "2021-03-15", "2021-03-19", "50", "5", "5", "vmat"),
    ("S01-002", "L1", "2021-04-12", "2021-04-16", "54", "3", "3", "robotic"),
    ("S02-001", "L1", "2021-05-10", "2021-05-21", "60", "8", "8", "imrt"),
]
_IMAGING = [
    ("S01-001", "L1", "2021-06-15", "ct", "controlled", ""),
    ("S01-001", "L2", "2021-06-15", "ct", "controlled", ""),
    ("S01-001", "L1", "2021-09-14", "ct", "controlled", ""),
    ("S01-001", "L2", "2021-09-14", "ct", "controlled", ""),
    ("S01-001", "L1", "2021-12-14", "pet_ct", "controlled", ""),
    ("S01-001", "L2", "2021-12-14", "pet_ct", "controlled", ""),
    ("S01-001", "L1", "2022-03-15", "pet_ct", "failure", "pet"),
    ("S01-001", "L2", "2022-03-15", "pet_ct", "controlled", ""),
    ("S01-002", "L1", "2021-07-12", "ct", "controlled", ""),
    ("S01-002", "L1", "2021-10-11", "ct", "not_evaluable", ""),
    ("S01-002", "L1", "2022-01-10", "ct", "controlled", ""),
    ("S02-001", "L1", "2021-08-20", "ct", "controlled", ""),
    ("S02-001", "L1", "2021-11-19", "ct", "controlled", ""),
    ("S02-001", "L1", "2022-02-18", "ct", "controlled", ""),
]
_PROGRESSION = [("S01-002", "2021-12-01", "distant", "bone", "mri")]
_ADVERSE_EVENTS = [
    ("S01-001", "AE1", "pneumonitis", "2", "2021-05-20", "2021-07-01", "no", "probable"),
    ("S01-001", "AE2", "fatigue", "1", "2021-03-10", "2021-03-25", "no", "possible"),
    ("S01-002", "AE1", "cough", "1", "2021-05-01", "", "no", "unlikely"),
    ("S02-001", "AE1", "chest_wall_pain", "3", "2021-09-01", "2021-10-15", "yes", "definite"),
]
_FOLLOW_UP = [
    ("S01-001", "2022-09-01", "alive", "", ""),
    ("S01-002", "2022-04-20", "dead", "2022-05-02", "lung_cancer"),
    ("S02-001", "2022-06-30", "alive", "", ""),
]
# Sample dates per patient and timepoint: baseline 7 days before TRTSDT, end of treatment on
# TRTEDT, one month 31 days after TRTEDT.
LAB_DATES = {
    "S01-001": ("2021-03-01", "2021-03-19", "2021-04-19"),
    "S01-002": ("2021-04-05", "2021-04-16", "2021-05-17"),
    "S02-001": ("2021-05-03", "2021-05-21", "2021-06-21"),
}
LAB_VALUES = {
    "wbc": "6.5",
    "neutrophils": "4.1",
    "lymphocytes": "1.6",
    "monocytes": "0.5",
    "platelets": "221",
    "hemoglobin": "131",
    "albumin": "40.2",
    "crp": "4.8",
    "ldh": "198",
    "cea": "3.2",
    "cyfra21_1": "2.5",
    "nse": "12.1",
    "scc": "1.1",
    "progrp": "41",
}


def _frame(stem: str, records: list[tuple[str, ...]]) -> list[dict[str, str]]:
    columns = list(EXPORTS[stem].to_schema().columns)
    return [dict(zip(columns, record, strict=True)) for record in records]


def _labs() -> list[tuple[str, ...]]:
    return [
        (patient, timepoint, date, analyte, LAB_VALUES[analyte], v.CANONICAL_UNITS[analyte])
        for patient, dates in LAB_DATES.items()
        for timepoint, date in zip(v.TIMEPOINTS, dates, strict=True)
        for analyte in v.ANALYTES
    ]


_RECORDS = {
    "screening": _SCREENING,
    "patients": _PATIENTS,
    "lesions": _LESIONS,
    "sbrt": _SBRT,
    "imaging": _IMAGING,
    "progression": _PROGRESSION,
    "adverse_events": _ADVERSE_EVENTS,
    "labs": _labs(),
    "follow_up": _FOLLOW_UP,
}


def clean_rows() -> Rows:
    """A fresh copy of the valid rows of every export (file stem -> list of row dicts)."""
    return copy.deepcopy({stem: _frame(stem, records) for stem, records in _RECORDS.items()})


def write_folder(rows: Rows, folder: Path) -> Path:
    """Write every export of `rows` as UTF-8 CSV with a header into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, records in rows.items():
        with open(folder / f"{stem}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(EXPORTS[stem].to_schema().columns))
            writer.writeheader()
            writer.writerows(records)
    return folder


def lab_index(rows: Rows, patient: str, timepoint: str, analyte: str) -> int:
    """Position (0-based) of one lab row; the CSV row number is this + 1."""
    labs = rows["labs"]
    return next(
        i
        for i, r in enumerate(labs)
        if (r["patient_id"], r["timepoint"], r["analyte"]) == (patient, timepoint, analyte)
    )


# The study period of the hand-written delivery.
STUDY_START, DATA_CUT = "2021-01-01", "2023-01-31"


def gate_config(folder: Path, **overrides) -> dict:
    """The default config for the real exports in `folder`, with the delivery's study period."""
    settings = {"raw_dir": str(folder), "study_start": STUDY_START, "data_cut": DATA_CUT}
    return config.load(**{**settings, **overrides})


def validate_rows(rows: Rows, folder: Path, **overrides) -> tuple[dict, pd.DataFrame]:
    """Write `rows` to `folder` and run the gate with `gate_config` (plus overrides)."""
    return validate_exports(write_folder(rows, folder), gate_config(folder, **overrides))


def fatal(findings: pd.DataFrame) -> list[tuple[str, int, str, str]]:
    """The FATAL findings as (file, row, column, rule), in report order."""
    return _located(findings[findings["severity"] == "FATAL"])


def warn(findings: pd.DataFrame) -> list[tuple[str, int, str, str]]:
    """The WARN findings as (file, row, column, rule), in report order."""
    return _located(findings[findings["severity"] == "WARN"])


def _located(findings: pd.DataFrame) -> list[tuple[str, int, str, str]]:
    return list(findings[["file", "row", "column", "rule"]].itertuples(index=False, name=None))
