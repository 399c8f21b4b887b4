"""The CONSORT-style participant flow, counted from the data (screening log and ADaM)."""

import pandas as pd

from sbrtlung.schemas import vocabulary as v


def flow_counts(screening: pd.DataFrame, adsl: pd.DataFrame, adles: pd.DataFrame) -> dict:
    """Every number of the flow diagram; each stage is a subset of the one before it."""
    not_eligible = screening[screening["eligible"] == "no"]
    saf = adsl[adsl["SAFFL"]]
    treated_lesions = adles[adles["TRTFL"] & adles["USUBJID"].isin(saf["USUBJID"])]
    return {
        "screened": len(screening),
        "not_eligible": len(not_eligible),
        "not_eligible_by_reason": {
            reason: int((not_eligible["exclusion_reason"] == reason).sum())
            for reason in v.EXCLUSION_REASONS
        },
        "eligible_not_enrolled": int(
            ((screening["eligible"] == "yes") & screening["patient_id"].isna()).sum()
        ),
        "enrolled": len(adsl),
        "sites": int(adsl["SITEID"].nunique()),
        "not_treated": int((~adsl["SAFFL"]).sum()),
        "safety": len(saf),
        "lesions": int(adles["USUBJID"].isin(saf["USUBJID"]).sum()),
        "lesions_treated": len(treated_lesions),
        "lesions_not_treated": int((adles["USUBJID"].isin(saf["USUBJID"]) & ~adles["TRTFL"]).sum()),
        "efficacy": int(saf["EFFFL"].sum()),
        "no_follow_up_scan": int((~saf["EFFFL"]).sum()),
        "per_protocol": int(saf["PPFL"].sum()),
        "not_per_protocol": int((~saf["PPFL"]).sum()),
        "died": int(saf["DTHFL"].sum()),
        "lost_to_follow_up": int(saf["LTFUFL"].sum()),
        "alive_in_follow_up": int((~saf["DTHFL"] & ~saf["LTFUFL"]).sum()),
    }
