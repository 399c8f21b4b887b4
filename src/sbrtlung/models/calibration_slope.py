"""SAP amendment 1.2f: calibration slope and observed/expected ratio of the prognostic models.

Per model, cohort and cross-validation repeat, over the out-of-fold predictions of that
repeat (every patient once): the calibration slope is the coefficient of a Cox regression of
the outcome on the out-of-fold linear predictor (`analysis.cox`, Efron's ties; 1 is ideal,
below 1 predictions too extreme), and the observed/expected ratio is the Kaplan-Meier risk by
the horizon over the mean predicted risk by the horizon (1 is ideal). Each is summarised as
the mean and the 2.5th-97.5th percentiles over the repeats, like the other performance
measures.

Choices where the plan is silent: the linear predictors of the folds of one repeat are pooled
as they are (each fold's model centres its own predictors); a repeat whose linear predictor
is constant (no predictor selected in any fold), that has no event, or whose observed risk is
not estimable at the horizon gives no value for that measure.
"""

import numpy as np
import pandas as pd

from sbrtlung.analysis.cox import cox_fit
from sbrtlung.analysis.estimators import estimable_at, kaplan_meier, survival_at

KEYS = ["endpoint", "cohort", "model"]
MEASURES = {"slope": "Calibration slope", "oe_ratio": "Observed/expected risk"}
PERCENTILES = (2.5, 97.5)
COLUMNS = [*KEYS, "measure", "mean", "lower", "upper", "n_repeats"]


def calibration_slope(time: np.ndarray, event: np.ndarray, lp: np.ndarray) -> float:
    """The Cox coefficient of the outcome on the linear predictor (NaN if it cannot be fitted)."""
    if not event.any() or np.ptp(lp) == 0:
        return np.nan
    return float(cox_fit(time, event, lp[:, None], np.arange(len(time))).beta[0])


def observed_expected(
    time: np.ndarray, event: np.ndarray, risk: np.ndarray, horizon_days: float
) -> float:
    """Kaplan-Meier risk by the horizon over the mean predicted risk (NaN if not estimable)."""
    keep = ~np.isnan(risk)
    if not keep.any() or not estimable_at(time, horizon_days):
        return np.nan
    observed = 1 - float(survival_at(kaplan_meier(time, event), horizon_days).estimate)
    return observed / float(np.mean(risk[keep]))


def per_repeat(predictions: pd.DataFrame, horizon_days: float) -> pd.DataFrame:
    """Slope and O/E of every model, cohort and repeat."""
    rows = []
    for key, group in predictions.groupby([*KEYS, "repeat"], sort=False):
        time = group["time"].to_numpy(float)
        event = group["event"].to_numpy(bool)
        values = {
            "slope": calibration_slope(time, event, group["risk_score"].to_numpy(float)),
            "oe_ratio": observed_expected(
                time, event, group["risk_horizon"].to_numpy(float), horizon_days
            ),
        }
        base = dict(zip([*KEYS, "repeat"], key, strict=True))
        rows += [base | {"measure": m, "value": v} for m, v in values.items()]
    return pd.DataFrame(rows, columns=[*KEYS, "repeat", "measure", "value"])


def calibration_measures(predictions: pd.DataFrame, horizon_days: float) -> pd.DataFrame:
    """Mean and 2.5th-97.5th percentiles over repeats of the slope and the O/E ratio."""
    records = []
    for key, group in per_repeat(predictions, horizon_days).groupby([*KEYS, "measure"], sort=False):
        values = group["value"].dropna().to_numpy()
        lower, upper = np.percentile(values, PERCENTILES) if values.size else (np.nan, np.nan)
        mean = values.mean() if values.size else np.nan
        records.append(
            dict(zip([*KEYS, "measure"], key, strict=True))
            | {"mean": mean, "lower": lower, "upper": upper, "n_repeats": values.size}
        )
    return pd.DataFrame(records, columns=COLUMNS)
