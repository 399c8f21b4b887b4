"""ADAE: adverse events of the safety set, with relatedness and acute/late phase (SAP 3)."""

import pandas as pd

from sbrtlung.schemas.vocabulary import RELATED_ATTRIBUTIONS

from .days import study_day


def derive_adae(
    tables: dict[str, pd.DataFrame], adsl: pd.DataFrame, acute_days: float
) -> pd.DataFrame:
    """One row per AE episode of a SAF patient.

    TRAEFL: attribution possible, probable or definite. PHASE: acute when the onset is at most
    `acute_days` after the last SBRT end (TRTEDY), late after that.
    """
    events = tables["adverse_events"].reset_index(drop=True)
    enrollment = tables["patients"].set_index("patient_id")["enrollment_date"]
    treatment_end = adsl.loc[adsl["SAFFL"]].set_index("USUBJID")["TRTEDY"]
    events = events[events["patient_id"].isin(treatment_end.index)]
    onset = study_day(events["onset_date"], events["patient_id"], enrollment)
    after_end = onset - events["patient_id"].map(treatment_end).astype("Int64")
    return pd.DataFrame(
        {
            "USUBJID": events["patient_id"],
            "AESEQ": events.index + 1,
            "AEID": events["ae_id"],
            "AETERM": events["term"],
            "AETOXGR": events["grade"],
            "AESER": events["serious"] == "yes",
            "AEREL": events["attribution"],
            "TRAEFL": events["attribution"].isin(RELATED_ATTRIBUTIONS),
            "ASTDY": onset,
            "AENDY": study_day(events["end_date"], events["patient_id"], enrollment),
            "ONSETEND": after_end,
            "PHASE": (after_end <= acute_days).map({True: "acute", False: "late"}),
        }
    ).reset_index(drop=True)
