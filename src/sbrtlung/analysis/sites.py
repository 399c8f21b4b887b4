"""SAP amendment 1.2d: local control by site, and how much the sites differ.

Per site: patients, nodules, local failures by the horizon and the 2-year LCR per nodule with
its IJ 95% CI (1.2a without a failure); the last row pools every site (the primary
estimate). Heterogeneity is the DerSimonian-Laird I^2 and tau^2 of the site estimates on the
log(-log) scale, y = log(-log L) with variance sigma^2 = V / (L log L)^2 (the scale of the
interval), over the sites whose estimate has V > 0; the others are named. Descriptive.

Choices where the plan is silent: `failures` counts those at or before the horizon, as in the
sensitivity table; a site whose estimate is not estimable, or is 0 or 1, has no log(-log)
value and is left out with the sites of V = 0; with fewer than two sites left, I^2 and tau^2
are not estimable.
"""

import numpy as np
import pandas as pd

from sbrtlung.analysis.efficacy import endpoint_data
from sbrtlung.analysis.estimators import cif_cluster_variance
from sbrtlung.analysis.lcr_summary import lcr_summary

POOLED = "pooled"
COLUMNS = ("site", "patients", "nodules", "failures", "estimate", "ci95_low", "ci95_high")


def dersimonian_laird(y: np.ndarray, variance: np.ndarray) -> dict:
    """Cochran's Q, I^2 = max(0, (Q - df) / Q) and the DerSimonian-Laird moment estimate
    tau^2 = max(0, (Q - df) / (sum w - sum w^2 / sum w)), w = 1 / variance, df = k - 1."""
    y, variance = np.asarray(y, float), np.asarray(variance, float)
    k = len(y)
    if k < 2:
        return {"k": k, "q": np.nan, "i2": np.nan, "tau2": np.nan}
    w = 1 / variance
    mean = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mean) ** 2))
    df = k - 1
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    tau2 = max(0.0, (q - df) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    return {"k": k, "q": q, "i2": float(i2), "tau2": float(tau2)}


def _loglog(rows: pd.DataFrame, horizon: float) -> tuple[float, float]:
    """log(-log L) of 1 - CIF at the horizon and its delta-method variance (NaN if V = 0 or
    L is 0 or 1)."""
    (cif,), (v,) = cif_cluster_variance(
        rows["AVAL"].to_numpy(float), rows["EVNT"].to_numpy(int), rows["USUBJID"], [horizon]
    )
    lcr = 1 - cif
    if not (v > 0 and 0 < lcr < 1):
        return np.nan, np.nan
    return float(np.log(-np.log(lcr))), float(v / (lcr * np.log(lcr)) ** 2)


def sites(adtte: pd.DataFrame, adsl: pd.DataFrame, horizon: float) -> tuple[pd.DataFrame, dict]:
    """The site table (largest site first: patients, then nodules, then site id; `pooled`
    last) and the heterogeneity {i2, tau2, q, k, excluded} over the sites with V > 0."""
    lf = endpoint_data(adtte, adsl, "LF", "SAF").merge(adsl[["USUBJID", "SITEID"]], on="USUBJID")
    records, y, var, excluded = [], [], [], []
    for site, rows in lf.groupby("SITEID", sort=True):
        summary = lcr_summary(
            rows["AVAL"].to_numpy(float),
            rows["EVNT"].to_numpy(int),
            rows["USUBJID"].to_numpy(str),
            horizon,
            0.95,
        )
        records.append({"site": site} | summary)
        value, variance = _loglog(rows, horizon) if rows["AVAL"].max() >= horizon else (np.nan,) * 2
        if np.isnan(value):
            excluded.append(site)
        else:
            y.append(value)
            var.append(variance)
    table = pd.DataFrame(records)
    table = table.sort_values(
        ["patients", "nodules", "site"], ascending=[False, False, True], kind="stable"
    )
    pooled = lcr_summary(
        lf["AVAL"].to_numpy(float),
        lf["EVNT"].to_numpy(int),
        lf["USUBJID"].to_numpy(str),
        horizon,
        0.95,
    )
    table = pd.concat([table, pd.DataFrame([{"site": POOLED} | pooled])], ignore_index=True)
    heterogeneity = dersimonian_laird(np.array(y), np.array(var)) | {"excluded": excluded}
    return table[list(COLUMNS)], heterogeneity
