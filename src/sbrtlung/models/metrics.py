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

The integrated Brier score (IBS) integrates the IPCW Brier score (Graf et al. 1999) over an
equally spaced grid of IBS_POINTS times on [0, 2 years] and divides by 2 years, in every fold
(SAP 4): the same span whatever the fold's first test time. Before that time nobody in the
test fold has had an event or been censored, so every test subject is a control there and
the score is defined; scikit-survival's `brier_score` refuses such times, hence `brier_scores`,
which computes the same formula with scikit-survival's censoring estimate at any time of the
fold's window. The IBS is missing when the horizon is not before the window's limit. The risk scores
are the Cox linear predictors (higher = worse); the Brier score uses the model's predicted
survival at the grid times.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sksurv.exceptions import NoComparablePairException
from sksurv.metrics import (
    concordance_index_censored,
    concordance_index_ipcw,
    cumulative_dynamic_auc,
)
from sksurv.nonparametric import CensoringDistributionEstimator
from sksurv.util import Surv

from sbrtlung.formatter import Kind
from sbrtlung.study import Horizon

METRICS = ("harrell_c", "uno_c", "auc_1y", "auc_2y", "ibs")


def labels(horizon: Horizon) -> dict[str, str]:
    """Each metric in words, at the configured horizon ("Uno's C (2 years)")."""
    return {
        "harrell_c": "Harrell's C",
        "uno_c": f"Uno's C ({horizon.years_label})",
        "auc_1y": "AUC at 1 year",
        "auc_2y": f"AUC at {horizon.years_label}",
        "ibs": f"Integrated Brier score ({horizon.years_label})",
    }


KINDS = {metric: Kind.C_STATISTIC for metric in METRICS} | {"ibs": Kind.BRIER_SCORE}
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

    Counted in O(n log n) per column rather than pair by pair, so that the inner CV of a large
    cohort needs neither quadratic time nor memory: sorted by time (events first among equal
    times), the subjects comparable with an event are a suffix, and the pairs are counted by
    `_count_in_suffix`. The risk differences are compared with `tied_tol` exactly as
    ``risk_i - risk_j`` would be in floating point (`_threshold_ranks`).
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    risks = np.asarray(risks, dtype=float)
    order = np.lexsort((~event, time))
    time, event, risks = time[order], event[order], risks[order]
    first = np.searchsorted(time, time, side="left")
    after = np.searchsorted(time, time, side="right")
    events_before = np.concatenate(([0], np.cumsum(event)))
    # Subjects at or after `start` outlived event i: later times, and censorings at its time.
    start = (first + events_before[after] - events_before[first])[event]
    n_pairs = int((time.size - start).sum())
    if n_pairs == 0:
        return np.full(risks.shape[1], np.nan)
    ranks, below, not_above = _threshold_ranks(risks, tied_tol)
    concordant = _count_in_suffix(ranks, start, below[event])  # risk_j < risk_i - tol
    not_discordant = _count_in_suffix(ranks, start, not_above[event])  # risk_j <= risk_i + tol
    tied = (not_discordant - concordant).sum(axis=0)
    concordant = concordant.sum(axis=0)
    return (concordant + 0.5 * tied) / n_pairs


def _threshold_ranks(risks: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: each risk's rank among the column's distinct values u, and per subject i
    the number of u with ``risk_i - u > tol`` (below) and with ``u - risk_i <= tol`` (not
    above).

    A floating-point difference is monotone in each operand, so both sets are leading runs of
    the sorted u; `searchsorted` finds their ends up to the rounding of ``risk_i -+ tol``, and
    `_run_end` then lets the difference itself decide, as the pairwise test does.
    """
    ranks = np.empty(risks.shape, dtype=np.int64)
    below = np.empty(risks.shape, dtype=np.int64)
    not_above = np.empty(risks.shape, dtype=np.int64)
    for k in range(risks.shape[1]):
        r = risks[:, k]
        values = np.unique(r)
        ranks[:, k] = np.searchsorted(values, r)
        guess = np.searchsorted(values, r - tol)
        below[:, k] = _run_end(values, r, guess, lambda u, x: x - u > tol)
        guess = np.searchsorted(values, r + tol, side="right")
        not_above[:, k] = _run_end(values, r, guess, lambda u, x: u - x <= tol)
    return ranks, below, not_above


def _run_end(
    values: np.ndarray,
    r: np.ndarray,
    end: np.ndarray,
    inside: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Per r, the end of the leading run of sorted `values` where ``inside(value, r)`` holds,
    moved from a guess that is off by at most a few values."""
    m = values.size
    while (back := (end > 0) & ~inside(values[np.maximum(end - 1, 0)], r)).any():
        end = end - back
    while (ahead := (end < m) & inside(values[np.minimum(end, m - 1)], r)).any():
        end = end + ahead
    return end


def _count_in_suffix(ranks: np.ndarray, start: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``counts[q, k]`` = number of rows p >= start[q] with ranks[p, k] < limit[q, k].

    Offline dominance counting: a suffix is everything minus a prefix, and a prefix [0, e) is
    the union of one aligned block of 2**j rows for every bit j set in e. For each block size,
    the (block, column, rank) keys of the rows are put in order (a stable sort by block of
    the keys sorted once by column and rank), and a query's count in its block is one binary
    search. Columns share the passes by offsetting their ranks.
    """
    n, columns = ranks.shape
    span = n + 1  # ranks and limits lie in 0..n
    offset = np.arange(columns) * span
    keys = (ranks + offset).ravel()
    by_key = np.argsort(keys, kind="stable")
    keys, rows = keys[by_key], np.repeat(np.arange(n), columns)[by_key]
    queries = limit + offset
    width = columns * span  # key range of one block
    # Every row below the limit (keys of lower columns removed), minus those before `start`.
    counts = np.searchsorted(keys, queries) - np.arange(columns) * n
    small = np.min_scalar_type(n)  # narrow block numbers sort faster (radix sort)
    for j in range(int(start.max()).bit_length()):
        chosen = (start >> j) & 1 == 1
        if not chosen.any():
            continue
        block = (rows >> j).astype(small)
        by_block = np.argsort(block, kind="stable")
        sorted_keys = block[by_block].astype(np.int64) * width + keys[by_block]
        b = (start[chosen] >> j) - 1
        found = np.searchsorted(sorted_keys, b[:, None] * width + queries[chosen])
        # Keys of the blocks before block b (each full: 2**j rows of `columns` keys), and of
        # the lower columns inside block b (each 2**j keys, all below this column's offset).
        before = (b[:, None] << j) * columns + (np.arange(columns) << j)
        counts[chosen] -= found - before
    return counts


def administrative_censoring(
    time: np.ndarray, event: np.ndarray, cap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Follow-up ended at `cap`: later times become `cap`, events at or after it censored."""
    time = np.asarray(time, dtype=float)
    return np.minimum(time, cap), np.asarray(event, dtype=bool) & (time < cap)


def ibs_grid(horizon_days: float) -> np.ndarray:
    """The fixed time grid of the integrated Brier score, 0 to the horizon."""
    return np.linspace(0.0, horizon_days, IBS_POINTS)


def brier_scores(
    train: np.ndarray,
    time: np.ndarray,
    event: np.ndarray,
    predicted: np.ndarray,
    grid: np.ndarray,
) -> np.ndarray:
    """IPCW Brier score at each grid time, with scikit-survival's formula and censoring weights.

    A test subject with an event by t counts S(t)^2 / G(T), one still followed after t counts
    (1 - S(t))^2 / G(t), others nothing; G is the Kaplan-Meier estimate of the censoring
    distribution of the training part (`train`, a scikit-survival structured array) and a
    weight of 1/0 is 0. `predicted` holds the test subjects' survival (rows) at the grid times
    (columns), which must lie before the training part's largest time.
    """
    censoring = CensoringDistributionEstimator().fit(train)
    at_grid = censoring.predict_proba(np.asarray(grid, dtype=float))
    at_time = censoring.predict_proba(np.asarray(time, dtype=float))
    at_grid[at_grid == 0] = np.inf
    at_time[at_time == 0] = np.inf
    case = (time[:, None] <= grid) & event[:, None]
    control = time[:, None] > grid
    return np.mean(
        np.square(predicted) * case / at_time[:, None]
        + np.square(1.0 - predicted) * control / at_grid,
        axis=0,
    )


def integrated_brier(
    train: np.ndarray, time: np.ndarray, event: np.ndarray, predicted: np.ndarray, grid: np.ndarray
) -> float:
    """Trapezoidal integral of `brier_scores` over the grid, divided by the grid's span."""
    scores = brier_scores(train, time, event, predicted, grid)
    return float(np.trapezoid(scores, grid) / (grid[-1] - grid[0]))


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
    if horizon_days < limit:  # nobody need have failed: before the first test time all count
        grid = ibs_grid(horizon_days)
        ibs = integrated_brier(train, time, event, survival(grid), grid)

    return {
        "harrell_c": harrell_c(test_time, test_event, risk),
        "uno_c": uno,
        "auc_1y": auc(year_days),
        "auc_2y": auc(horizon_days),
        "ibs": ibs,
        "cap_days": cap,
        "limit_days": limit,
    }
