"""SAP amendment 1.2c: the sensitivity analyses of the primary endpoint.

Every analysis reads its own LF derivation from ADTTESA (`adam.lf_sensitivity`, declared as
data there) and is estimated the same way: the 2-year LCR per nodule with its IJ 95% CI and
decision interval. The decision of each is stated; only the primary one is the trial's.
"""

import numpy as np
import pandas as pd

from sbrtlung.adam.lf_sensitivity import ANALYSES
from sbrtlung.analysis.efficacy import decision_level, unit_order
from sbrtlung.analysis.lcr_summary import lcr_summary, success

COLUMNS = (
    "analysis",
    "nodules",
    "failures",
    "estimate",
    "ci95_low",
    "ci95_high",
    "decision_low",
    "success",
)


def sensitivity(
    adttesa: pd.DataFrame, horizon: float, lcr_null: float, alpha_one_sided: float
) -> pd.DataFrame:
    """One row per analysis, the primary first (the order of `lf_sensitivity.DERIVATIONS`)."""
    level = decision_level(alpha_one_sided)
    records = []
    for analysis in ANALYSES:
        rows = unit_order(adttesa[adttesa["ANALYSIS"] == analysis])
        summary = lcr_summary(
            rows["AVAL"].to_numpy(float),
            rows["EVNT"].to_numpy(int),
            rows["USUBJID"].to_numpy(str),
            horizon,
            level,
        )
        record = {"analysis": analysis} | summary
        records.append(record | {"success": success(summary["decision_low"], lcr_null)})
    return pd.DataFrame(records)[list(COLUMNS)].astype({"estimate": float})


def robust(table: pd.DataFrame) -> dict:
    """How the sensitivity analyses compare with the primary one: the range of their
    estimates and lower decision limits, and how many state the primary's decision."""
    primary = table.iloc[0]
    others = table.iloc[1:]
    return {
        "n_analyses": len(others),
        "n_same_decision": int((others["success"] == primary["success"]).sum()),
        "estimate_min": float(np.nanmin(others["estimate"])),
        "estimate_max": float(np.nanmax(others["estimate"])),
    }
