"""Performance of one outer fold: Harrell's and Uno's C, time-dependent AUC, integrated Brier.

Harrell's C uses the test fold as observed. The other four weight by the inverse probability
of censoring (IPCW), with the censoring distribution estimated on the training part by
scikit-survival (Kaplan-Meier of the censoring times). That estimate ends at the largest
training time (the fold's *cap*): beyond it the weights are undefined (scikit-survival raises,
or divides by a censoring survival of zero). So, explicitly:

- test subjects followed beyond the cap are censored at the cap, and an event at or after it
  counts as censored there (administrative censoring, as if follow-up had ended then);
- a time-dependent metric is evaluated only at times t with (smallest test time) <= t <
  (the fold's *limit*: the smaller of the cap and the largest test time after capping). A
  metric whose time lies outside is missing (NaN), and so is one that is undefined at its
  time (an AUC without a case or a control, a C without a comparable pair); the summary
  counts the missing folds.

The integrated Brier score (IBS) integrates the Brier score over an equally spaced grid of
IBS_POINTS times from 0 to the 2-year horizon, keeping the grid times inside the fold's
window (in practice only the times before the first test time are dropped), and divides by
the span integrated. The risk scores are the Cox linear predictors (higher = worse); the
Brier score uses the model's predicted survival at the grid times.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sksurv.exceptions import NoComparablePairException
from sksurv.metrics import (
    concordance_index_censored,
    concordance_index_ipcw,
    cumulative_dynamic_auc,
    integrated_brier_score,
)
from sksurv.util import Surv

METRICS = ("harrell_c", "uno_c", "auc_1y", "auc_2y", "ibs")
LABELS = {
    "harrell_c": "Harrell's C",
    "uno_c": "Uno's C (2 years)",
    "auc_1y": "AUC at 1 year",
    "auc_2y": "AUC at 2 years",
    "ibs": "Integrated Brier score (2 years)",
}
LOWER_IS_BETTER = frozenset({"ibs"})
IBS_POINTS = 101


def harrell_c(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Harrell's concordance of risk scores (higher = earlier event); NaN when undefined."""
    event = np.asarray(event, dtype=bool)
    if not event.any():
        return np.nan
    try:
        return float(concordance_index_censored(event, np.asarray(time, float), risk)[0])
    except NoComparablePairException:
        return np.nan


def harrell_c_path(
    time: np.ndarray, event: np.ndarray, risks: np.ndarray, tied_tol: float = 1e-8
) -> np.ndarray:
    """Harrell's C of each column of `risks` at once (one column per penalty of a path).

    The same definition as `concordance_index_censored`, vectorised for the inner CV: a
    pair is comparable when the earlier time is an event (an event and a censoring at the
    same time included); a tie in risk (within `tied_tol`) counts one half. NaN when no pair
    is comparable.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    earlier = time[:, None] < time[None, :]
    same_time = (time[:, None] == time[None, :]) & ~event[None, :]
    comparable = event[:, None] & (earlier | same_time)  # i had the event, j outlived i
    n_pairs = comparable.sum()
    if n_pairs == 0:
        return np.full(risks.shape[1], np.nan)
    i, j = np.nonzero(comparable)
    diff = risks[i] - risks[j]
    tied = np.abs(diff) <= tied_tol
    concordant = (diff > 0) & ~tied
    return (concordant.sum(axis=0) + 0.5 * tied.sum(axis=0)) / n_pairs


def administrative_censoring(
    time: np.ndarray, event: np.ndarray, cap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Follow-up ended at `cap`: later times become `cap`, events at or after it censored."""
    time = np.asarray(time, dtype=float)
    return np.minimum(time, cap), np.asarray(event, dtype=bool) & (time < cap)


def ibs_grid(horizon_days: float) -> np.ndarray:
    """The fixed time grid of the integrated Brier score, 0 to the horizon."""
    return np.linspace(0.0, horizon_days, IBS_POINTS)


def fold_metrics(
    train_time: np.ndarray,
    train_event: np.ndarray,
    test_time: np.ndarray,
    test_event: np.ndarray,
    risk: np.ndarray,
    survival: Callable[[np.ndarray], np.ndarray],
    *,
    year_days: float,
    horizon_days: float,
) -> dict[str, float]:
    """Every metric of one outer fold (NaN where not evaluable) and the fold's window.

    `survival(times)` gives the predicted survival of the test subjects (rows) at `times`
    (columns), all within the training follow-up.
    """
    train = Surv.from_arrays(np.asarray(train_event, bool), np.asarray(train_time, float))
    cap = float(np.max(train_time))
    time, event = administrative_censoring(test_time, test_event, cap)
    test = Surv.from_arrays(event, time)
    first, limit = float(time.min()), min(cap, float(time.max()))

    def inside(t: float) -> bool:
        return first <= t < limit

    def auc(t: float) -> float:
        defined = (event & (time <= t)).any() and (time > t).any()
        if not (inside(t) and defined):
            return np.nan
        return float(cumulative_dynamic_auc(train, test, risk, [t])[0][0])

    uno = np.nan
    if inside(horizon_days) and (event & (time < horizon_days)).any():
        try:
            uno = float(concordance_index_ipcw(train, test, risk, tau=horizon_days)[0])
        except NoComparablePairException:
            uno = np.nan

    ibs = np.nan
    grid = ibs_grid(horizon_days)
    grid = grid[(grid >= first) & (grid < limit)]
    if inside(horizon_days) and grid.size >= 2:
        ibs = float(integrated_brier_score(train, test, survival(grid), grid))

    return {
        "harrell_c": harrell_c(test_time, test_event, risk),
        "uno_c": uno,
        "auc_1y": auc(year_days),
        "auc_2y": auc(horizon_days),
        "ibs": ibs,
        "cap_days": cap,
        "limit_days": limit,
    }
