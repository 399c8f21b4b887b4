"""Contracts of the ADaM-style analysis datasets, checked when they are written.

Day variables (…DY) are study days, day 0 being the enrollment date; no calendar date
reaches these datasets. Flags (…FL) are booleans.
"""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import vocabulary as v

Int = pd.Int64Dtype
PARAMCDS = ("OS", "PFS", "LF", "LFPT", "RR", "DM")


class _Dataset(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False


class Adsl(_Dataset):
    """ADSL: one row per enrolled patient."""

    USUBJID: Series[str] = pa.Field(unique=True)
    SITEID: Series[str]
    AGE: Series[Int] = pa.Field(ge=18, le=100)
    SEX: Series[str] = pa.Field(isin=v.SEXES)
    ECOG: Series[Int] = pa.Field(ge=0, le=2)
    SMOKING: Series[str] = pa.Field(isin=v.SMOKING)
    PACKYRS: Series[float] = pa.Field(ge=0)
    FEV1PCT: Series[float] = pa.Field(nullable=True)
    DLCOPCT: Series[float] = pa.Field(nullable=True)
    CHARLSON: Series[Int] = pa.Field(ge=0, le=15)
    SURGTYPE: Series[str] = pa.Field(isin=v.SURGERY_TYPES)
    PRIMHIST: Series[str] = pa.Field(isin=v.PRIMARY_HISTOLOGIES)
    PRIMSTG: Series[str] = pa.Field(isin=v.PRIMARY_PSTAGES)
    INOPRSN: Series[str] = pa.Field(isin=v.INOPERABLE_REASONS)
    SURGDY: Series[Int] = pa.Field(le=0, description="surgery, days before enrollment")
    NLES: Series[Int] = pa.Field(ge=1, description="residual nodules")
    NLESTRT: Series[Int] = pa.Field(ge=0, description="nodules with >= 1 fraction delivered")
    MAXDIAM: Series[float] = pa.Field(nullable=True, description="largest treated diameter, mm")
    MINBED10: Series[float] = pa.Field(nullable=True, description="lowest BED10 of its lesions")
    TRTSDY: Series[Int] = pa.Field(nullable=True, ge=0, description="first SBRT start")
    TRTEDY: Series[Int] = pa.Field(nullable=True, ge=0, description="last SBRT end")
    ENRLFL: Series[bool]
    SAFFL: Series[bool] = pa.Field(description=">= 1 fraction delivered")
    EFFFL: Series[bool] = pa.Field(description="SAF with >= 1 follow-up scan")
    PPFL: Series[bool] = pa.Field(description="SAF, every planned fraction on every lesion")
    DTHFL: Series[bool]
    DTHDY: Series[Int] = pa.Field(nullable=True)
    DTHCAUS: Series[str] = pa.Field(isin=v.CAUSES_OF_DEATH, nullable=True)
    LSTCNTDY: Series[Int] = pa.Field(description="last contact")
    LSTALVDY: Series[Int] = pa.Field(description="last day known alive (death day if dead)")
    LSTASDY: Series[Int] = pa.Field(nullable=True, description="last follow-up scan, any lesion")
    NSCAN: Series[Int] = pa.Field(ge=0, description="distinct scan days")
    DCUTDY: Series[Int] = pa.Field(
        description="data cut: data_cut, or the synthetic trial's, else the latest export date"
    )
    LTFUFL: Series[bool] = pa.Field(description="alive, no contact in the months before the cut")


class Adles(_Dataset):
    """ADLES: one row per residual nodule, with its course and dose."""

    USUBJID: Series[str]
    LESID: Series[str] = pa.Field(isin=v.LESION_IDS)
    LOBE: Series[str] = pa.Field(isin=v.LOBES)
    DIAMMM: Series[float] = pa.Field(ge=3, le=50)
    CONSRAT: Series[float] = pa.Field(ge=0, le=1)
    LOCATION: Series[str] = pa.Field(isin=v.LESION_LOCATIONS)
    DIAGNOSIS: Series[str] = pa.Field(isin=v.LESION_DIAGNOSES)
    LESHIST: Series[str] = pa.Field(isin=v.LESION_HISTOLOGIES)
    COURSEFL: Series[bool] = pa.Field(description="has an SBRT course record")
    TRTFL: Series[bool] = pa.Field(description=">= 1 fraction delivered")
    COMPLFL: Series[bool] = pa.Field(description="every planned fraction delivered")
    TECHNIQUE: Series[str] = pa.Field(isin=v.TECHNIQUES, nullable=True)
    DOSEGY: Series[float] = pa.Field(nullable=True, description="prescribed total dose, Gy")
    FXPLAN: Series[Int] = pa.Field(nullable=True)
    FXDLV: Series[Int] = pa.Field(nullable=True)
    DOSEDLV: Series[float] = pa.Field(nullable=True, ge=0, description="D, delivered dose")
    DOSEPFX: Series[float] = pa.Field(nullable=True, gt=0, description="d, dose per fraction")
    BED10: Series[float] = pa.Field(nullable=True, ge=0)
    EQD2: Series[float] = pa.Field(nullable=True, ge=0)
    STARTDY: Series[Int] = pa.Field(nullable=True, ge=0)
    ENDDY: Series[Int] = pa.Field(nullable=True, ge=0)
    DURDY: Series[Int] = pa.Field(nullable=True, ge=1, description="end - start + 1")

    class Config:
        unique = ["USUBJID", "LESID"]


class Adtte(_Dataset):
    """ADTTE: one row per endpoint and analysed unit (patient, or lesion for LF)."""

    USUBJID: Series[str]
    LESID: Series[str] = pa.Field(nullable=True, description="LF only")
    PARAMCD: Series[str] = pa.Field(isin=PARAMCDS)
    PARAM: Series[str]
    STARTDY: Series[int] = pa.Field(ge=0, description="origin")
    ADY: Series[int] = pa.Field(ge=0, description="event or censoring day")
    AVAL: Series[int] = pa.Field(ge=0, description="days from origin")
    AVALM: Series[float] = pa.Field(ge=0, description="months from origin")
    EVNT: Series[int] = pa.Field(isin=(0, 1, 2), description="0 censored, 1 event, 2 competing")
    CNSR: Series[int] = pa.Field(isin=(0, 1), description="1 - (EVNT == 1)")
    EVNTDESC: Series[str]
    SRCDOM: Series[str] = pa.Field(isin=("sbrt", "imaging", "progression", "follow_up"))
    SRCVAR: Series[str]
    SRCSEQ: Series[int] = pa.Field(ge=1, description="row of the source file, from 1")

    class Config:
        unique = ["PARAMCD", "USUBJID", "LESID"]

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

    USUBJID: Series[str]
    AESEQ: Series[int] = pa.Field(ge=1, description="row of adverse_events.csv")
    AEID: Series[str]
    AETERM: Series[str] = pa.Field(isin=v.CTCAE_TERMS)
    AETOXGR: Series[Int] = pa.Field(ge=1, le=5)
    AESER: Series[bool]
    AEREL: Series[str] = pa.Field(isin=v.ATTRIBUTIONS)
    TRAEFL: Series[bool] = pa.Field(description="attribution possible, probable or definite")
    ASTDY: Series[Int] = pa.Field(description="onset")
    AENDY: Series[Int] = pa.Field(nullable=True)
    ONSETEND: Series[Int] = pa.Field(description="onset minus last SBRT end, days")
    PHASE: Series[str] = pa.Field(isin=("acute", "late"))

    class Config:
        unique = ["USUBJID", "AEID"]


class Adlb(_Dataset):
    """ADLB: one row per SAF patient, marker and timepoint, in canonical units.

    Markers are the analytes of labs.csv and the indices derived from them at the same
    timepoint (NLR, PLR, LMR, SII, PNI). LOG2CHG is the dynamics: log2(value / baseline).
    """

    USUBJID: Series[str]
    PARAMCD: Series[str] = pa.Field(isin=v.MARKERS)
    PARAMTYP: Series[str] = pa.Field(isin=("measured", "derived"))
    TIMEPOINT: Series[str] = pa.Field(isin=v.TIMEPOINTS)
    AVAL: Series[float] = pa.Field(ge=0, nullable=True, description="canonical units")
    AVALU: Series[str] = pa.Field(description="canonical unit, or 'ratio' / 'score'")
    ADY: Series[Int] = pa.Field(nullable=True, description="sample day (latest component)")
    WINDY: Series[Int] = pa.Field(
        nullable=True, description="days from TRTSDT (baseline) or TRTEDT (post-treatment)"
    )
    INWINFL: Series[bool] = pa.Field(description="sampled (every component) inside its window")
    SRCSEQ: Series[Int] = pa.Field(nullable=True, description="row of labs.csv (measured)")
    BASE: Series[float] = pa.Field(nullable=True, description="baseline value of the marker")
    LOG2CHG: Series[float] = pa.Field(nullable=True, description="log2(AVAL / BASE)")

    class Config:
        unique = ["USUBJID", "PARAMCD", "TIMEPOINT"]


DATASETS: dict[str, type[pa.DataFrameModel]] = {
    "adsl": Adsl,
    "adles": Adles,
    "adtte": Adtte,
    "adttesa": Adttesa,
    "adae": Adae,
    "adlb": Adlb,
}
