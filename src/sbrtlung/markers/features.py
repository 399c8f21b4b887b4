"""Analysis tables shared by the marker analyses and the prognostic models (SAP 4).

Survival outcomes per patient, the landmark cohort, the clinical covariates and the marker
values as one row per patient, so that the univariable Cox models and the cross-validated
models read exactly the same data.
"""

import pandas as pd

from sbrtlung.schemas import vocabulary as v

# ADSL variable -> model covariate (SAP 4: clinical model).
CLINICAL = {
    "AGE": "age",
    "SEX": "sex",
    "ECOG": "ecog",
    "PACKYRS": "pack_years",
    "CHARLSON": "charlson",
    "NLES": "n_lesions",
    "MAXDIAM": "largest_diameter_mm",
    "MINBED10": "lowest_bed10",
}


def outcome(adtte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """Per patient: `time` (days) and `event` (EVNT == 1; a competing death is censored, so
    LFPT gives the cause-specific hazard), indexed by USUBJID."""
    rows = adtte[adtte["PARAMCD"] == paramcd].set_index("USUBJID").sort_index()
    return pd.DataFrame({"time": rows["AVAL"].astype(float), "event": rows["EVNT"] == 1})


def landmark(outcomes: pd.DataFrame, landmark_days: float) -> pd.DataFrame:
    """Patients still event-free and followed beyond the landmark, time counted from it.

    Whoever had the event, a competing death or the end of follow-up at or before the
    landmark is left out: only `time > landmark_days` stays.
    """
    kept = outcomes[outcomes["time"] > landmark_days]
    return kept.assign(time=kept["time"] - landmark_days)


def clinical(adsl: pd.DataFrame) -> pd.DataFrame:
    """The clinical covariates of the safety set, one row per patient (sex as 1 = male)."""
    saf = adsl[adsl["SAFFL"]].set_index("USUBJID").sort_index()
    table = saf[list(CLINICAL)].rename(columns=CLINICAL).astype("float64", errors="ignore")
    table["sex"] = (saf["SEX"] == "male").astype(float)
    return table.astype(float)


def markers(
    adlb: pd.DataFrame,
    adsl: pd.DataFrame,
    timepoint: str,
    value: str = "AVAL",
    known_by_day: float | None = None,
) -> pd.DataFrame:
    """Marker values (AVAL) or dynamics (LOG2CHG) at one timepoint, one row per SAF patient.

    With `known_by_day`, a value sampled later than that many days after the first SBRT start
    is missing: a landmark analysis may only use what was known at the landmark.
    """
    rows = adlb[adlb["TIMEPOINT"] == timepoint]
    if known_by_day is not None:
        start = rows["USUBJID"].map(adsl.set_index("USUBJID")["TRTSDY"])
        rows = rows[(rows["ADY"] - start) <= known_by_day]
    wide = rows.pivot(index="USUBJID", columns="PARAMCD", values=value)
    saf = adsl.loc[adsl["SAFFL"], "USUBJID"].sort_values()
    present = [m for m in v.MARKERS if m in wide.columns]
    return wide.reindex(index=saf, columns=present).astype(float).rename_axis(None, axis=1)
