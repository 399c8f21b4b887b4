"""Contracts of the ADaM-style analysis datasets, checked when they are written.

Day variables (…DY) are study days, day 0 being the enrollment date; no calendar date
reaches these datasets. Flags (…FL) are booleans.

The same fields describe the datasets when they are shared (`sbrtlung.share`): a field's
`title` is its label (at most 40 characters, as SAS transport files allow), its `metadata`
says where it comes from (`collected`: a column of a CRF export; `derived`: computed here,
the field's `description` being the derivation) and, for a name longer than the 8
characters of SAS transport, its short name. A dataset's Config `title` is its label and
its `description` its structure. Nothing of this is written anywhere else.
"""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import vocabulary as v

Int = pd.Int64Dtype
PARAMCDS = ("OS", "PFS", "LF", "LFPT", "RR", "DM")


def collected(source: str, short: str | None = None) -> dict[str, str]:
    """A variable carried over as it is from a column of a CRF export (`file.column`)."""
    return {"origin": "collected", "source": source} | ({"short": short} if short else {})


def derived(short: str | None = None) -> dict[str, str]:
    """A variable computed by the pipeline; the field's description is its derivation."""
    return {"origin": "derived"} | ({"short": short} if short else {})


# The variable each shared dataset gets first, which the parquet files do not carry: the
# study's identifier, assigned from the configuration (`share.studyid`).
STUDYID = {
    "title": "Study Identifier",
    "origin": "assigned",
    "description": "share.studyid of the configuration, the same on every record",
}


class _Dataset(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False


class Adsl(_Dataset):
    """ADSL: one row per enrolled patient."""

    USUBJID: Series[str] = pa.Field(
        unique=True, title="Unique Subject Identifier", metadata=collected("patients.patient_id")
    )
    SITEID: Series[str] = pa.Field(
        title="Study Site Identifier", metadata=collected("patients.site_id")
    )
    AGE: Series[Int] = pa.Field(
        ge=18, le=100, title="Age at Enrollment (years)", metadata=collected("patients.age")
    )
    SEX: Series[str] = pa.Field(isin=v.SEXES, title="Sex", metadata=collected("patients.sex"))
    ECOG: Series[Int] = pa.Field(
        ge=0, le=2, title="ECOG Performance Status", metadata=collected("patients.ecog")
    )
    SMOKING: Series[str] = pa.Field(
        isin=v.SMOKING, title="Smoking Status", metadata=collected("patients.smoking")
    )
    PACKYRS: Series[float] = pa.Field(
        ge=0, title="Pack-Years Smoked", metadata=collected("patients.pack_years")
    )
    FEV1PCT: Series[float] = pa.Field(
        nullable=True, title="FEV1 (% Predicted)", metadata=collected("patients.fev1_pct")
    )
    DLCOPCT: Series[float] = pa.Field(
        nullable=True, title="DLCO (% Predicted)", metadata=collected("patients.dlco_pct")
    )
    CHARLSON: Series[Int] = pa.Field(
        ge=0, le=15, title="Charlson Comorbidity Index", metadata=collected("patients.charlson")
    )
    SURGTYPE: Series[str] = pa.Field(
        isin=v.SURGERY_TYPES,
        title="Type of Lung Cancer Surgery",
        metadata=collected("patients.surgery_type"),
    )
    PRIMHIST: Series[str] = pa.Field(
        isin=v.PRIMARY_HISTOLOGIES,
        title="Histology of the Resected Tumour",
        metadata=collected("patients.primary_histology"),
    )
    PRIMSTG: Series[str] = pa.Field(
        isin=v.PRIMARY_PSTAGES,
        title="Pathological Stage, Resected Tumour",
        metadata=collected("patients.primary_pstage"),
    )
    INOPRSN: Series[str] = pa.Field(
        isin=v.INOPERABLE_REASONS,
        title="Reason the Nodules Were Not Resected",
        metadata=collected("patients.inoperable_reason"),
    )
    SURGDY: Series[Int] = pa.Field(
        le=0,
        title="Study Day of Surgery",
        description="surgery, days before enrollment: surgery_date minus enrollment_date",
        metadata=derived(),
    )
    NLES: Series[Int] = pa.Field(
        ge=1,
        title="Number of Residual Nodules",
        description="residual nodules: the patient's ADLES records",
        metadata=derived(),
    )
    NLESTRT: Series[Int] = pa.Field(
        ge=0,
        title="Number of Treated Nodules",
        description="nodules with >= 1 fraction delivered (ADLES.TRTFL)",
        metadata=derived(),
    )
    MAXDIAM: Series[float] = pa.Field(
        nullable=True,
        title="Largest Treated Nodule Diameter (mm)",
        description="largest treated diameter, mm: maximum of ADLES.DIAMMM over treated nodules",
        metadata=derived(),
    )
    MINBED10: Series[float] = pa.Field(
        nullable=True,
        title="Lowest BED10 of Treated Nodules (Gy)",
        description="lowest BED10 of its lesions: minimum of ADLES.BED10 over treated nodules",
        metadata=derived(),
    )
    TRTSDY: Series[Int] = pa.Field(
        nullable=True,
        ge=0,
        title="Study Day of First SBRT Start",
        description="first SBRT start: minimum of ADLES.STARTDY over treated nodules",
        metadata=derived(),
    )
    TRTEDY: Series[Int] = pa.Field(
        nullable=True,
        ge=0,
        title="Study Day of Last SBRT End",
        description="last SBRT end: maximum of ADLES.ENDDY over treated nodules",
        metadata=derived(),
    )
    ENRLFL: Series[bool] = pa.Field(
        title="Enrolled Population Flag",
        description="every patient of patients.csv is enrolled",
        metadata=derived(),
    )
    SAFFL: Series[bool] = pa.Field(
        title="Safety Population Flag",
        description=">= 1 fraction delivered (NLESTRT > 0)",
        metadata=derived(),
    )
    EFFFL: Series[bool] = pa.Field(
        title="Efficacy Population Flag",
        description="SAF with >= 1 follow-up scan",
        metadata=derived(),
    )
    PPFL: Series[bool] = pa.Field(
        title="Per-Protocol Population Flag",
        description="SAF, every planned fraction on every lesion (ADLES.COMPLFL)",
        metadata=derived(),
    )
    DTHFL: Series[bool] = pa.Field(
        title="Subject Death Flag",
        description="follow_up.vital_status is dead",
        metadata=derived(),
    )
    DTHDY: Series[Int] = pa.Field(
        nullable=True,
        title="Study Day of Death",
        description="death_date minus enrollment_date",
        metadata=derived(),
    )
    DTHCAUS: Series[str] = pa.Field(
        isin=v.CAUSES_OF_DEATH,
        nullable=True,
        title="Cause of Death",
        metadata=collected("follow_up.cause_of_death"),
    )
    LSTCNTDY: Series[Int] = pa.Field(
        title="Study Day of Last Contact",
        description="last contact: last_contact_date minus enrollment_date",
        metadata=derived(),
    )
    LSTALVDY: Series[Int] = pa.Field(
        title="Study Day Last Known Alive",
        description="last day known alive (death day if dead): DTHDY if DTHFL, else LSTCNTDY",
        metadata=derived(),
    )
    LSTASDY: Series[Int] = pa.Field(
        nullable=True,
        title="Study Day of Last Follow-up Scan",
        description="last follow-up scan, any lesion: latest imaging assessment_date",
        metadata=derived(),
    )
    NSCAN: Series[Int] = pa.Field(
        ge=0,
        title="Number of Follow-up Scan Days",
        description="distinct scan days: distinct imaging assessment dates",
        metadata=derived(),
    )
    DCUTDY: Series[Int] = pa.Field(
        title="Study Day of the Data Cut",
        description=(
            "data cut as the gate resolved it (results/validation/period.json): data_cut, or "
            "the synthetic trial's, else the latest export date"
        ),
        metadata=derived(),
    )
    LTFUFL: Series[bool] = pa.Field(
        title="Lost to Follow-up Flag",
        description="alive, no contact in the months before the cut "
        "(DCUTDY - LSTCNTDY > lost_to_follow_up_days)",
        metadata=derived(),
    )

    class Config:
        title = "Subject-Level Analysis Dataset"
        description = "One record per enrolled patient"


class Adles(_Dataset):
    """ADLES: one row per residual nodule, with its course and dose."""

    USUBJID: Series[str] = pa.Field(
        title="Unique Subject Identifier", metadata=collected("lesions.patient_id")
    )
    LESID: Series[str] = pa.Field(
        isin=v.LESION_IDS, title="Lesion Identifier", metadata=collected("lesions.lesion_id")
    )
    LOBE: Series[str] = pa.Field(isin=v.LOBES, title="Lobe", metadata=collected("lesions.lobe"))
    DIAMMM: Series[float] = pa.Field(
        ge=3, le=50, title="Longest Diameter (mm)", metadata=collected("lesions.diameter_mm")
    )
    CONSRAT: Series[float] = pa.Field(
        ge=0,
        le=1,
        title="Consolidation-to-Tumour Ratio",
        metadata=collected("lesions.consolidation_ratio"),
    )
    LOCATION: Series[str] = pa.Field(
        isin=v.LESION_LOCATIONS, title="Location", metadata=collected("lesions.location")
    )
    DIAGNOSIS: Series[str] = pa.Field(
        isin=v.LESION_DIAGNOSES,
        title="How Malignancy Was Established",
        metadata=collected("lesions.diagnosis", short="LESDIAG"),
    )
    LESHIST: Series[str] = pa.Field(
        isin=v.LESION_HISTOLOGIES,
        title="Histology of the Nodule",
        metadata=collected("lesions.histology"),
    )
    COURSEFL: Series[bool] = pa.Field(
        title="SBRT Course Record Flag",
        description="has an SBRT course record",
        metadata=derived(),
    )
    TRTFL: Series[bool] = pa.Field(
        title="Treated Flag",
        description=">= 1 fraction delivered",
        metadata=derived(),
    )
    COMPLFL: Series[bool] = pa.Field(
        title="Course Completed Flag",
        description="every planned fraction delivered (FXDLV = FXPLAN)",
        metadata=derived(),
    )
    TECHNIQUE: Series[str] = pa.Field(
        isin=v.TECHNIQUES,
        nullable=True,
        title="SBRT Technique",
        metadata=collected("sbrt.technique", short="TECHNIQ"),
    )
    DOSEGY: Series[float] = pa.Field(
        nullable=True,
        title="Prescribed Total Dose (Gy)",
        description="prescribed total dose, Gy",
        metadata=collected("sbrt.dose_gy"),
    )
    FXPLAN: Series[Int] = pa.Field(
        nullable=True, title="Planned Fractions", metadata=collected("sbrt.fractions_planned")
    )
    FXDLV: Series[Int] = pa.Field(
        nullable=True,
        title="Delivered Fractions",
        metadata=collected("sbrt.fractions_delivered"),
    )
    DOSEDLV: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        title="Delivered Dose D (Gy)",
        description="D, delivered dose: DOSEGY x FXDLV / FXPLAN",
        metadata=derived(),
    )
    DOSEPFX: Series[float] = pa.Field(
        nullable=True,
        gt=0,
        title="Dose per Fraction d (Gy)",
        description="d, dose per fraction: DOSEGY / FXPLAN",
        metadata=derived(),
    )
    BED10: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        title="Biologically Effective Dose, a/b 10 (Gy)",
        description="D x (1 + d / 10), linear-quadratic model with alpha/beta 10 Gy",
        metadata=derived(),
    )
    EQD2: Series[float] = pa.Field(
        nullable=True,
        ge=0,
        title="Equivalent Dose in 2-Gy Fractions (Gy)",
        description="BED10 / (1 + 2 / 10)",
        metadata=derived(),
    )
    STARTDY: Series[Int] = pa.Field(
        nullable=True,
        ge=0,
        title="Study Day of SBRT Start",
        description="sbrt.start_date minus enrollment_date",
        metadata=derived(),
    )
    ENDDY: Series[Int] = pa.Field(
        nullable=True,
        ge=0,
        title="Study Day of SBRT End",
        description="sbrt.end_date minus enrollment_date",
        metadata=derived(),
    )
    DURDY: Series[Int] = pa.Field(
        nullable=True,
        ge=1,
        title="Course Duration (days)",
        description="end - start + 1",
        metadata=derived(),
    )

    class Config:
        unique = ["USUBJID", "LESID"]
        title = "Lesion-Level Analysis Dataset"
        description = "One record per residual nodule"


class Adtte(_Dataset):
    """ADTTE: one row per endpoint and analysed unit (patient, or lesion for LF)."""

    USUBJID: Series[str] = pa.Field(
        title="Unique Subject Identifier", metadata=collected("patients.patient_id")
    )
    LESID: Series[str] = pa.Field(
        nullable=True,
        title="Lesion Identifier",
        description="LF only",
        metadata=collected("lesions.lesion_id"),
    )
    PARAMCD: Series[str] = pa.Field(
        isin=PARAMCDS,
        title="Parameter Code",
        description="the endpoint, as declared in adam/endpoints.py",
        metadata=derived(),
    )
    PARAM: Series[str] = pa.Field(
        title="Parameter",
        description="the endpoint's name, as declared in adam/endpoints.py",
        metadata=derived(),
    )
    STARTDY: Series[int] = pa.Field(
        ge=0,
        title="Study Day of the Origin",
        description="origin: ADSL.TRTSDY, or ADLES.STARTDY for LF",
        metadata=derived(),
    )
    ADY: Series[int] = pa.Field(
        ge=0,
        title="Study Day of Event or Censoring",
        description="event or censoring day: the earliest event, else the earliest competing "
        "event, else the latest censoring record of the endpoint's sources",
        metadata=derived(),
    )
    AVAL: Series[int] = pa.Field(
        ge=0,
        title="Analysis Value (days)",
        description="days from origin: ADY - STARTDY",
        metadata=derived(),
    )
    AVALM: Series[float] = pa.Field(
        ge=0,
        title="Analysis Value (months)",
        description="months from origin: AVAL / month_days (30.4375 by default)",
        metadata=derived(),
    )
    EVNT: Series[int] = pa.Field(
        isin=(0, 1, 2),
        title="Event Indicator",
        description="0 censored, 1 event, 2 competing",
        metadata=derived(),
    )
    CNSR: Series[int] = pa.Field(
        isin=(0, 1),
        title="Censor",
        description="1 - (EVNT == 1)",
        metadata=derived(),
    )
    EVNTDESC: Series[str] = pa.Field(
        title="Event or Censoring Description",
        description="the description of the source that set ADY, from adam/endpoints.py",
        metadata=derived(),
    )
    SRCDOM: Series[str] = pa.Field(
        isin=("sbrt", "imaging", "progression", "follow_up"),
        title="Source Data",
        description="the export of the record that set ADY",
        metadata=derived(),
    )
    SRCVAR: Series[str] = pa.Field(
        title="Source Variable",
        description="the date column of the record that set ADY",
        metadata=derived(),
    )
    SRCSEQ: Series[int] = pa.Field(
        ge=1,
        title="Source Row",
        description="row of the source file, from 1",
        metadata=derived(),
    )

    class Config:
        unique = ["PARAMCD", "USUBJID", "LESID"]
        title = "Time-to-Event Analysis Dataset"
        description = "One record per endpoint per patient, or per treated lesion for LF"

    @pa.dataframe_check
    def cnsr_is_not_event(cls, df: pd.DataFrame) -> pd.Series:
        return df["CNSR"] == (df["EVNT"] != 1).astype(int)

    @pa.dataframe_check
    def aval_is_day_difference(cls, df: pd.DataFrame) -> pd.Series:
        return df["AVAL"] == df["ADY"] - df["STARTDY"]


class Adttesa(_Dataset):
    """ADTTESA: local failure per nodule as each sensitivity analysis of SAP amendment 1.2c
    derives it (`sbrtlung.adam.lf_sensitivity`), one row per analysis and nodule."""

    ANALYSIS: Series[str]
    USUBJID: Series[str]
    LESID: Series[str]
    STARTDY: Series[int] = pa.Field(ge=0, description="origin")
    ADY: Series[int] = pa.Field(ge=0, description="event or censoring day")
    AVAL: Series[int] = pa.Field(ge=0, description="days from origin")
    EVNT: Series[int] = pa.Field(isin=(0, 1, 2), description="0 censored, 1 event, 2 competing")
    CNSR: Series[int] = pa.Field(isin=(0, 1), description="1 - (EVNT == 1)")
    EVNTDESC: Series[str]

    class Config:
        unique = ["ANALYSIS", "USUBJID", "LESID"]

    @pa.dataframe_check
    def aval_is_day_difference(cls, df: pd.DataFrame) -> pd.Series:
        return df["AVAL"] == df["ADY"] - df["STARTDY"]


class Adae(_Dataset):
    """ADAE: one row per AE episode of a safety-set patient."""

    USUBJID: Series[str] = pa.Field(
        title="Unique Subject Identifier", metadata=collected("adverse_events.patient_id")
    )
    AESEQ: Series[int] = pa.Field(
        ge=1,
        title="Sequence Number",
        description="row of adverse_events.csv",
        metadata=derived(),
    )
    AEID: Series[str] = pa.Field(
        title="Adverse Event Identifier", metadata=collected("adverse_events.ae_id")
    )
    AETERM: Series[str] = pa.Field(
        isin=v.CTCAE_TERMS, title="CTCAE Term", metadata=collected("adverse_events.term")
    )
    AETOXGR: Series[Int] = pa.Field(
        ge=1, le=5, title="CTCAE Grade", metadata=collected("adverse_events.grade")
    )
    AESER: Series[bool] = pa.Field(
        title="Serious Event",
        description="adverse_events.serious is yes",
        metadata=derived(),
    )
    AEREL: Series[str] = pa.Field(
        isin=v.ATTRIBUTIONS,
        title="Attribution to SBRT",
        metadata=collected("adverse_events.attribution"),
    )
    TRAEFL: Series[bool] = pa.Field(
        title="Treatment-Related AE Flag",
        description="attribution possible, probable or definite",
        metadata=derived(),
    )
    ASTDY: Series[Int] = pa.Field(
        title="Study Day of Onset",
        description="onset: onset_date minus enrollment_date",
        metadata=derived(),
    )
    AENDY: Series[Int] = pa.Field(
        nullable=True,
        title="Study Day of Resolution",
        description="end_date minus enrollment_date",
        metadata=derived(),
    )
    ONSETEND: Series[Int] = pa.Field(
        title="Days from Last SBRT End to Onset",
        description="onset minus last SBRT end, days (ASTDY - ADSL.TRTEDY)",
        metadata=derived(),
    )
    PHASE: Series[str] = pa.Field(
        isin=("acute", "late"),
        title="Acute or Late",
        description="acute if ONSETEND <= acute_ae_days (90 by default), else late",
        metadata=derived(),
    )

    class Config:
        unique = ["USUBJID", "AEID"]
        title = "Adverse Events Analysis Dataset"
        description = "One record per adverse event episode"


class Adlb(_Dataset):
    """ADLB: one row per SAF patient, marker and timepoint, in canonical units.

    Markers are the analytes of labs.csv and the indices derived from them at the same
    timepoint (NLR, PLR, LMR, SII, PNI). LOG2CHG is the dynamics: log2(value / baseline).
    """

    USUBJID: Series[str] = pa.Field(
        title="Unique Subject Identifier", metadata=collected("labs.patient_id")
    )
    PARAMCD: Series[str] = pa.Field(
        isin=v.MARKERS,
        title="Parameter Code",
        description="labs.analyte, or the derived index",
        metadata=derived(),
    )
    PARAMTYP: Series[str] = pa.Field(
        isin=("measured", "derived"),
        title="Parameter Type",
        description="measured for an analyte of labs.csv, derived for an index",
        metadata=derived(),
    )
    TIMEPOINT: Series[str] = pa.Field(
        isin=v.TIMEPOINTS, title="Timepoint", metadata=collected("labs.timepoint", short="ATPT")
    )
    AVAL: Series[float] = pa.Field(
        ge=0,
        nullable=True,
        title="Analysis Value",
        description="canonical units: labs.value times the factor of its unit, or the index "
        "computed from its components at the same timepoint",
        metadata=derived(),
    )
    AVALU: Series[str] = pa.Field(
        title="Analysis Value Unit",
        description="canonical unit, or 'ratio' / 'score'",
        metadata=derived(),
    )
    ADY: Series[Int] = pa.Field(
        nullable=True,
        title="Study Day of Sample",
        description="sample day (latest component)",
        metadata=derived(),
    )
    WINDY: Series[Int] = pa.Field(
        nullable=True,
        title="Days from Window Reference",
        description="days from TRTSDT (baseline) or TRTEDT (post-treatment)",
        metadata=derived(),
    )
    INWINFL: Series[bool] = pa.Field(
        title="Sampled Within Window Flag",
        description="sampled (every component) inside its window",
        metadata=derived(),
    )
    SRCSEQ: Series[Int] = pa.Field(
        nullable=True,
        title="Source Row",
        description="row of labs.csv (measured)",
        metadata=derived(),
    )
    BASE: Series[float] = pa.Field(
        nullable=True,
        title="Baseline Value",
        description="baseline value of the marker",
        metadata=derived(),
    )
    LOG2CHG: Series[float] = pa.Field(
        nullable=True,
        title="Log2 Ratio to Baseline",
        description="log2(AVAL / BASE)",
        metadata=derived(),
    )

    class Config:
        unique = ["USUBJID", "PARAMCD", "TIMEPOINT"]
        title = "Blood Markers Analysis Dataset"
        description = "One record per safety-set patient per marker per timepoint"


DATASETS: dict[str, type[pa.DataFrameModel]] = {
    "adsl": Adsl,
    "adles": Adles,
    "adtte": Adtte,
    "adttesa": Adttesa,
    "adae": Adae,
    "adlb": Adlb,
}
