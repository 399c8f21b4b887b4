"""The raw-export data contract: one pandera model per case-report form.

Each model reads as the data dictionary of its CSV file: column, type, code list or range,
whether it may be empty, and the key that must be unique. Rules that relate columns or
files to each other (conditional requirements, dates in order, keys that must exist in
another file) are in `sbrtlung.validation.checks`, which names them in the same words.

Columns are parsed from text by `sbrtlung.validation.exports` before these models run, using the
type annotated here, so an unparseable value is reported once, as a parse finding.
"""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import vocabulary as v
from .limits import FIELDS

PATIENT_ID = r"^S\d{2}-\d{3}$"
SITE_ID = r"^S\d{2}$"
# A record number of the site's own logs (screening log, AE log): a letter or digit, then up
# to 31 letters, digits, dots, hyphens or underscores; nothing a spreadsheet could run.
RECORD_NUMBER = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"

Date = pa.DateTime
Int = pd.Int64Dtype


def _range(export: str, column: str) -> dict[str, float]:
    """The FATAL range of a numeric column, from `limits.FIELDS` (the one place it is set)."""
    return FIELDS[(export, column)].bounds()


class _Export(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False


class Screening(_Export):
    """screening.csv: one row per screened patient."""

    screening_id: Series[str] = pa.Field(
        str_matches=RECORD_NUMBER, unique=True, description="screening log number"
    )
    site_id: Series[str] = pa.Field(str_matches=SITE_ID, description="site, S + 2 digits")
    screening_date: Series[Date] = pa.Field(description="date of screening")
    eligible: Series[str] = pa.Field(isin=v.YES_NO, description="met every criterion")
    exclusion_reason: Series[str] = pa.Field(
        isin=v.EXCLUSION_REASONS, nullable=True, description="required iff eligible = no"
    )
    # Filled iff enrolled; its uniqueness among filled values is rule `duplicate_key`.
    patient_id: Series[str] = pa.Field(
        str_matches=PATIENT_ID,
        nullable=True,
        description="filled iff enrolled; unique among filled",
    )


class Patients(_Export):
    """patients.csv: one row per enrolled patient."""

    patient_id: Series[str] = pa.Field(
        str_matches=PATIENT_ID, unique=True, description="site id + 3-digit number"
    )
    site_id: Series[str] = pa.Field(
        str_matches=SITE_ID, description="enrolling site; the prefix of patient_id"
    )
    enrollment_date: Series[Date] = pa.Field(description="on or after surgery_date")
    age: Series[Int] = pa.Field(**_range("patients", "age"), description="years at enrollment")
    sex: Series[str] = pa.Field(isin=v.SEXES)
    ecog: Series[Int] = pa.Field(
        **_range("patients", "ecog"), description="ECOG performance status"
    )
    smoking: Series[str] = pa.Field(isin=v.SMOKING)
    pack_years: Series[float] = pa.Field(
        **_range("patients", "pack_years"), description="0 iff never smoker"
    )
    fev1_pct: Series[float] = pa.Field(
        **_range("patients", "fev1_pct"), nullable=True, description="FEV1, % predicted"
    )
    dlco_pct: Series[float] = pa.Field(
        **_range("patients", "dlco_pct"), nullable=True, description="DLCO, % predicted"
    )
    charlson: Series[Int] = pa.Field(
        **_range("patients", "charlson"), description="Charlson comorbidity index"
    )
    surgery_date: Series[Date] = pa.Field(description="resection of the dominant tumour")
    surgery_type: Series[str] = pa.Field(isin=v.SURGERY_TYPES)
    primary_histology: Series[str] = pa.Field(
        isin=v.PRIMARY_HISTOLOGIES, description="of the resected tumour"
    )
    primary_pstage: Series[str] = pa.Field(
        isin=v.PRIMARY_PSTAGES, description="pathological stage of the resected tumour"
    )
    inoperable_reason: Series[str] = pa.Field(
        isin=v.INOPERABLE_REASONS, description="why the residual nodules were not resected"
    )


class Lesions(_Export):
    """lesions.csv: one row per residual nodule to treat."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID)
    lesion_id: Series[str] = pa.Field(isin=v.LESION_IDS, description="unique within patient")
    lobe: Series[str] = pa.Field(isin=v.LOBES)
    diameter_mm: Series[float] = pa.Field(
        **_range("lesions", "diameter_mm"), description="longest diameter, mm"
    )
    consolidation_ratio: Series[float] = pa.Field(
        **_range("lesions", "consolidation_ratio"), description="0 = pure ground-glass"
    )
    location: Series[str] = pa.Field(isin=v.LESION_LOCATIONS)
    diagnosis: Series[str] = pa.Field(
        isin=v.LESION_DIAGNOSES, description="how malignancy was established"
    )
    histology: Series[str] = pa.Field(isin=v.LESION_HISTOLOGIES)

    class Config:
        unique = ["patient_id", "lesion_id"]


class Sbrt(_Export):
    """sbrt.csv: the SBRT course of one lesion (at most one per lesion)."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID)
    lesion_id: Series[str] = pa.Field(isin=v.LESION_IDS)
    start_date: Series[Date] = pa.Field(description="first fraction; on or after enrollment")
    end_date: Series[Date] = pa.Field(description="last fraction; on or after start_date")
    dose_gy: Series[float] = pa.Field(
        **_range("sbrt", "dose_gy"), description="prescribed total dose, Gy"
    )
    fractions_planned: Series[Int] = pa.Field(**_range("sbrt", "fractions_planned"))
    fractions_delivered: Series[Int] = pa.Field(
        **_range("sbrt", "fractions_delivered"),
        description="0 = lesion not treated; at most planned",
    )
    technique: Series[str] = pa.Field(isin=v.TECHNIQUES)

    class Config:
        unique = ["patient_id", "lesion_id"]


class Imaging(_Export):
    """imaging.csv: one row per treated lesion at one follow-up scan."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID)
    lesion_id: Series[str] = pa.Field(isin=v.LESION_IDS)
    assessment_date: Series[Date] = pa.Field(description="after the lesion's SBRT start")
    modality: Series[str] = pa.Field(isin=v.MODALITIES)
    local_status: Series[str] = pa.Field(isin=v.LOCAL_STATUSES)
    confirmation: Series[str] = pa.Field(
        isin=v.LOCAL_CONFIRMATIONS, nullable=True, description="required iff local_status = failure"
    )

    class Config:
        unique = ["patient_id", "lesion_id", "assessment_date"]


class Progression(_Export):
    """progression.csv: one row per regional or distant failure event."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID)
    event_date: Series[Date] = pa.Field(description="after the first SBRT start")
    site: Series[str] = pa.Field(
        isin=v.PROGRESSION_SITES, description="regional (nodal) or distant failure"
    )
    location: Series[str] = pa.Field(isin=v.PROGRESSION_LOCATIONS)
    confirmation: Series[str] = pa.Field(isin=v.PROGRESSION_CONFIRMATIONS)

    class Config:
        unique = ["patient_id", "event_date", "site", "location"]


class AdverseEvents(_Export):
    """adverse_events.csv: one row per adverse event episode."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID)
    ae_id: Series[str] = pa.Field(str_matches=RECORD_NUMBER, description="unique within patient")
    term: Series[str] = pa.Field(
        isin=v.CTCAE_TERMS, description="CTCAE v5.0 term of the project's term table"
    )
    grade: Series[Int] = pa.Field(
        **_range("adverse_events", "grade"), description="CTCAE grade; 5 only in a dead patient"
    )
    onset_date: Series[Date] = pa.Field(description="on or after the first SBRT start")
    end_date: Series[Date] = pa.Field(nullable=True, description="empty while ongoing")
    serious: Series[str] = pa.Field(isin=v.YES_NO)
    attribution: Series[str] = pa.Field(
        isin=v.ATTRIBUTIONS, description="to SBRT; possible or stronger = treatment-related"
    )

    class Config:
        unique = ["patient_id", "ae_id"]


class Labs(_Export):
    """labs.csv: one row per analyte at one timepoint."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID)
    timepoint: Series[str] = pa.Field(isin=v.TIMEPOINTS)
    sample_date: Series[Date] = pa.Field(description="window: see the data contract")
    analyte: Series[str] = pa.Field(isin=v.ANALYTES)
    value: Series[float] = pa.Field(
        **_range("labs", "value"), description="in `unit`; limits per analyte in limits.LABS"
    )
    unit: Series[str] = pa.Field(isin=v.ALL_UNITS, description="must be allowed for the analyte")

    class Config:
        unique = ["patient_id", "timepoint", "analyte"]


class FollowUp(_Export):
    """follow_up.csv: one row per enrolled patient."""

    patient_id: Series[str] = pa.Field(str_matches=PATIENT_ID, unique=True)
    last_contact_date: Series[Date] = pa.Field(
        description="no dated record of a living patient after it"
    )
    vital_status: Series[str] = pa.Field(isin=v.VITAL_STATUSES)
    death_date: Series[Date] = pa.Field(
        nullable=True, description="iff dead; no dated record after it"
    )
    cause_of_death: Series[str] = pa.Field(
        isin=v.CAUSES_OF_DEATH, nullable=True, description="iff dead"
    )


# The folder of exports: file name -> model, in the order the CRFs are filled.
EXPORTS: dict[str, type[pa.DataFrameModel]] = {
    "screening": Screening,
    "patients": Patients,
    "lesions": Lesions,
    "sbrt": Sbrt,
    "imaging": Imaging,
    "progression": Progression,
    "adverse_events": AdverseEvents,
    "labs": Labs,
    "follow_up": FollowUp,
}
