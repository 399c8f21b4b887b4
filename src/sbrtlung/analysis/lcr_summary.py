"""The 2-year local control rate of a set of nodules with its IJ intervals, the one summary
behind every row of the sensitivity, site and subgroup analyses (SAP amendment 1.2)."""

import numpy as np

from sbrtlung.analysis.estimators import cluster_ij_interval, estimable_at


def lcr_summary(
    time: np.ndarray, status: np.ndarray, patient: np.ndarray, horizon: float, level: float
) -> dict:
    """Nodules, patients, local failures by the horizon, 1 - CIF at the horizon with its IJ
    95% CI and its interval at the decision `level` (amendments 1.1 and 1.2a).

    Not estimable (NaN) when no nodule is followed to the horizon, or there is no nodule."""
    out = {
        "nodules": len(time),
        "patients": len(np.unique(patient)),
        "failures": int(((status == 1) & (time <= horizon)).sum()),
    }
    limits = ("estimate", "ci95_low", "ci95_high", "decision_low", "decision_high")
    if len(time) == 0 or not estimable_at(time, horizon):
        return out | dict.fromkeys(limits, np.nan)
    ci95 = cluster_ij_interval(time, status, patient, [horizon], 0.95)
    decision = cluster_ij_interval(time, status, patient, [horizon], level)
    values = (ci95.estimate, ci95.lower, ci95.upper, decision.lower, decision.upper)
    return out | {name: float(v[0]) for name, v in zip(limits, values, strict=True)}


def success(lower: float, null: float) -> str:
    """The decision a row states: 'yes' when the lower decision limit exceeds the null, 'not
    estimable' without a limit, else 'no'."""
    if np.isnan(lower):
        return "not estimable"
    return "yes" if lower > null else "no"
