"""ADSL: one row per enrolled patient, with treatment days, populations and vital status."""

import pandas as pd

from .days import study_day

# Raw column -> ADSL variable, for the covariates carried over as they are.
COVARIATES = {
    "patient_id": "USUBJID",
    "site_id": "SITEID",
    "age": "AGE",
    "sex": "SEX",
    "ecog": "ECOG",
    "smoking": "SMOKING",
    "pack_years": "PACKYRS",
    "fev1_pct": "FEV1PCT",
    "dlco_pct": "DLCOPCT",
    "charlson": "CHARLSON",
    "surgery_type": "SURGTYPE",
    "primary_histology": "PRIMHIST",
    "primary_pstage": "PRIMSTG",
    "inoperable_reason": "INOPRSN",
}


def derive_adsl(
    tables: dict[str, pd.DataFrame],
    adles: pd.DataFrame,
    *,
    cut: pd.Timestamp,
    lost_after_days: float = 365.25,
) -> pd.DataFrame:
    """Subject-level dataset (SAP 3).

    TRTSDY/TRTEDY: first start and last end over the treated lesions (ADLES.TRTFL: at least
    one fraction delivered). Populations: ENRL all; SAF a treated lesion; EFF SAF with a
    follow-up scan; PP SAF with every planned fraction delivered on every lesion. LSTASDY:
    last scan, any lesion. DCUTDY: the data cut `cut`, as the gate resolved it
    (`results/validation/period.json`, `sbrtlung.validation.period`); LTFUFL: alive, with no
    contact in the `lost_after_days` before the data cut (lost to follow-up).
    """
    patients = tables["patients"].reset_index(drop=True)
    enrollment = patients.set_index("patient_id")["enrollment_date"]
    ids = patients["patient_id"]
    treated = adles[adles["TRTFL"]]
    by_patient = treated.groupby("USUBJID")
    scans = tables["imaging"]
    scan_day = study_day(scans["assessment_date"], scans["patient_id"], enrollment)
    last_scan = scan_day.groupby(scans["patient_id"]).max()
    follow_up = tables["follow_up"].set_index("patient_id").reindex(ids).reset_index()

    adsl = patients[list(COVARIATES)].rename(columns=COVARIATES)
    adsl["SURGDY"] = study_day(patients["surgery_date"], ids, enrollment)
    adsl["NLES"] = ids.map(adles.groupby("USUBJID").size()).astype("Int64")
    adsl["NLESTRT"] = ids.map(by_patient.size()).fillna(0).astype("Int64")
    adsl["MAXDIAM"] = ids.map(by_patient["DIAMMM"].max())
    adsl["MINBED10"] = ids.map(by_patient["BED10"].min())
    adsl["TRTSDY"] = ids.map(by_patient["STARTDY"].min()).astype("Int64")
    adsl["TRTEDY"] = ids.map(by_patient["ENDDY"].max()).astype("Int64")
    adsl["ENRLFL"] = True
    adsl["SAFFL"] = (adsl["NLESTRT"] > 0).astype(bool)
    adsl["EFFFL"] = adsl["SAFFL"] & ids.isin(scans["patient_id"])
    all_complete = adles.groupby("USUBJID")["COMPLFL"].all()
    adsl["PPFL"] = adsl["SAFFL"] & ids.map(all_complete).fillna(False).astype(bool)
    adsl["DTHFL"] = follow_up["vital_status"] == "dead"
    adsl["DTHDY"] = study_day(follow_up["death_date"], ids, enrollment)
    adsl["DTHCAUS"] = follow_up["cause_of_death"]
    adsl["LSTCNTDY"] = study_day(follow_up["last_contact_date"], ids, enrollment)
    adsl["LSTALVDY"] = adsl["DTHDY"].where(adsl["DTHFL"], adsl["LSTCNTDY"])
    adsl["LSTASDY"] = ids.map(last_scan).astype("Int64")
    adsl["NSCAN"] = ids.map(scans.groupby("patient_id")["assessment_date"].nunique())
    adsl["NSCAN"] = adsl["NSCAN"].fillna(0).astype("Int64")
    adsl["DCUTDY"] = study_day(pd.Series(cut, index=ids.index), ids, enrollment)
    silent = adsl["DCUTDY"] - adsl["LSTCNTDY"]
    adsl["LTFUFL"] = (~adsl["DTHFL"] & (silent > lost_after_days)).astype(bool)
    return adsl
