"""Kaplan-Meier, Aalen-Johansen and Clopper-Pearson estimators (SAP section 4).

Pure numpy functions on arrays, written so that the trial's numbers can be checked line by line
against lifelines (the independent reference used by the tests and the benchmark) while keeping
lifelines out of the library.

Conventions, chosen to match the SAP and lifelines where the SAP is silent:

- Times are non-negative; an event at time 0 counts (the curve has already stepped at t = 0).
  Records censored at a time are still at risk at that time (censoring after events).
- A curve read at time t is its value after every event at or before t; before the first event
  time it is 1 (survival) or 0 (incidence). `step_value` carries the last value forward beyond
  the last observed time, as lifelines does; scikit-survival refuses to read a curve there.
- Estimable at t, the project's one rule (`estimable_at`): a curve's value at t is estimable
  when at least one unit is still followed at t (its time >= t: at risk just before t, or its
  event or censoring at t), that is when t is at most the last observed time. Beyond it nobody
  was observed, so the value is reported as not estimable (NaN, printed "NE"), never carried
  forward, even when the curve has reached 0 or 1. The efficacy rates, the survival figures
  and the prognostic models (the out-of-fold risk at the horizon and its calibration) all
  decide with it.
- Tied event times of the two causes in the Aalen-Johansen estimator are handled exactly: both
  causes use the overall survival just before that time (no jitter).
- Kaplan-Meier CIs use the log(-log) transform with Greenwood's variance. A curve at 1 has the
  degenerate CI (1, 1) and a curve at 0 the CI (0, 0); the Greenwood term of a step to 0
  (d = n) is undefined and set to 0, like lifelines.
- Quantiles (the median) are the first event time at which the curve is at or below the
  probability, up to a 1e-12 tolerance for rounding in the running product (no midpoint rule
  for a flat stretch at exactly 0.5, as in lifelines). Their CI inverts the pointwise log(-log)
  band: the first times at which the lower and the upper band reach that level (the
  Brookmeyer-Crowley idea as lifelines implements it, ``median_survival_times`` of the fitted
  ``confidence_interval_``). Not reached is NaN.
- The estimators share one step engine (``survival_steps`` and ``cif_steps``) that takes
  event and at-risk counts along the last axis, so the vectorised bootstrap in
  ``sbrtlung.analysis.bootstrap`` evaluates exactly the same arithmetic on replicate counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

_ROUNDING = 1e-12
_TINY = np.finfo(float).tiny


class Interval(NamedTuple):
    """A point estimate with the limits of its confidence interval (floats or arrays)."""

    estimate: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier step curve at its distinct event times.

    ``var_log_survival`` is Greenwood's cumulative sum of d / (n (n - d)), the variance of
    log S(t); ``variance`` is Greenwood's variance of S(t) itself.
    """

    time: np.ndarray
    n_at_risk: np.ndarray
    n_events: np.ndarray
    survival: np.ndarray
    var_log_survival: np.ndarray

    @property
    def variance(self) -> np.ndarray:
        return self.survival**2 * self.var_log_survival


@dataclass(frozen=True)
class AalenJohansen:
    """Aalen-Johansen cumulative incidence of cause 1 (and of the competing cause 2).

    ``survival`` is the overall (all-cause) Kaplan-Meier survival after each time.
    """

    time: np.ndarray
    n_at_risk: np.ndarray
    n_events: np.ndarray
    n_competing: np.ndarray
    cif: np.ndarray
    cif_competing: np.ndarray
    survival: np.ndarray


def _as_times(time: ArrayLike) -> np.ndarray:
    t = np.asarray(time, dtype=float)
    if t.ndim != 1 or t.size == 0:
        raise ValueError("time must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("time must be finite and non-negative")
    return t


def _as_codes(code: ArrayLike, n: int, allowed: tuple[int, ...], name: str) -> np.ndarray:
    c = np.asarray(code)
    if c.shape != (n,):
        raise ValueError(f"{name} must have the same length as time")
    if not np.all(np.isin(c, allowed)):
        raise ValueError(f"{name} must only take the values {allowed}")
    return c.astype(int)


def validate_status(time: ArrayLike, status: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Checked float times and integer status codes (0 censored, 1 event, 2 competing event)."""
    t = _as_times(time)
    return t, _as_codes(status, t.size, (0, 1, 2), "status")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, 0 where nobody is at risk: then there are no events either (num = 0), so
    dividing by the smallest positive double instead of 0 gives exactly that."""
    return num / np.maximum(den, _TINY)


def survival_steps(n_events: np.ndarray, n_at_risk: np.ndarray) -> np.ndarray:
    """Product-limit survival after each time; counts run along the last axis."""
    return np.cumprod(1.0 - _ratio(n_events, n_at_risk), axis=-1)


def cif_steps(
    n_events: np.ndarray, n_competing: np.ndarray, n_at_risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Aalen-Johansen CIF of cause 1 and overall survival after each time.

    The cause jumps by S(t-) * d_1 / n, with S(t-) the overall survival just before t, which
    is the exact treatment of tied times of the two causes.
    """
    survival = survival_steps(n_events + n_competing, n_at_risk)
    return np.cumsum(_before(survival) * _ratio(n_events, n_at_risk), axis=-1), survival


def _before(survival: np.ndarray) -> np.ndarray:
    """Overall survival just before each time: 1, then the values after each earlier time."""
    return np.concatenate([np.ones_like(survival[..., :1]), survival[..., :-1]], axis=-1)


def _event_counts(
    t: np.ndarray, status: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct event times (any non-zero status) with cause-1, cause-2 and at-risk counts."""
    grid = np.unique(t[status != 0])
    index = np.searchsorted(grid, t)
    d1 = np.bincount(index[status == 1], minlength=grid.size).astype(float)
    d2 = np.bincount(index[status == 2], minlength=grid.size).astype(float)
    t_sorted = np.sort(t)
    n = (t.size - np.searchsorted(t_sorted, grid, side="left")).astype(float)
    return grid, d1, d2, n


def kaplan_meier(time: ArrayLike, event: ArrayLike) -> KaplanMeier:
    """Kaplan-Meier estimate with Greenwood variance; ``event`` is 1 (or True) for an event."""
    t = _as_times(time)
    e = _as_codes(event, t.size, (0, 1), "event")
    grid, d, _, n = _event_counts(t, e)
    survival = survival_steps(d, n)
    # Greenwood term d / (n (n - d)); undefined when everyone at risk fails, set to 0.
    term = np.where(n > d, d / np.where(n > d, n * (n - d), 1.0), 0.0)
    return KaplanMeier(grid, n, d, survival, np.cumsum(term))


def aalen_johansen(time: ArrayLike, status: ArrayLike) -> AalenJohansen:
    """Aalen-Johansen cumulative incidence; status 0 censored, 1 event, 2 competing event."""
    t, s = validate_status(time, status)
    grid, d1, d2, n = _event_counts(t, s)
    cif, survival = cif_steps(d1, d2, n)
    cif_competing = np.cumsum(_before(survival) * _ratio(d2, n), axis=-1)
    return AalenJohansen(grid, n, d1, d2, cif, cif_competing, survival)


def step_value(
    times: np.ndarray, values: np.ndarray, at: ArrayLike, initial: float
) -> float | np.ndarray:
    """Read right-continuous step curves at ``at``: their values after every step at or before it.

    ``values`` holds the curve(s) along its last axis, one value per element of ``times``.
    """
    index = np.searchsorted(times, np.asarray(at, dtype=float), side="right")
    values = np.asarray(values, dtype=float)
    if values.shape[-1] == 0:
        return np.full((*values.shape[:-1], *index.shape), initial)[()]
    picked = values[..., np.maximum(index - 1, 0)]
    return np.where(index > 0, picked, initial)[()]


def estimable_at(time: ArrayLike, at: float) -> bool:
    """Whether a curve estimated from these follow-up times has a value at `at`: somebody is
    still followed then (time >= at). See the module docstring."""
    return bool((np.asarray(time, dtype=float) >= at).any())


def check_level(level: float) -> float:
    """The confidence level, checked to lie strictly between 0 and 1."""
    if not 0 < level < 1:
        raise ValueError("level must be strictly between 0 and 1")
    return level


@lru_cache(maxsize=16)
def _z(level: float) -> float:
    """The two-sided normal quantile of a level (cached: scipy's ppf costs more than a CI)."""
    return float(stats.norm.ppf(0.5 + check_level(level) / 2))


def _loglog_limits(
    value: ArrayLike, se_log: ArrayLike, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """log(-log) limits value^exp(+-z sigma), sigma = SE(log value) / |log value|.

    Degenerate (value, value) where the value is 0 or 1 or its SE is 0.
    """
    s = np.asarray(value, dtype=float)
    se = np.asarray(se_log, dtype=float)
    inside = (s > 0) & (s < 1) & (se > 0)
    log_s = np.log(np.where(inside, s, 0.5))
    spread = np.exp(_z(level) * np.where(inside, se, 0.0) / np.abs(log_s))
    lower = np.where(inside, np.exp(log_s * spread), s)
    upper = np.where(inside, np.exp(log_s / spread), s)
    return lower, upper


def _loglog_band(
    survival: np.ndarray, var_log: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise log(-log) Greenwood limits; degenerate (S, S) where S is 0 or 1."""
    return _loglog_limits(survival, np.sqrt(var_log), level)


def complement_loglog_ci(cif: ArrayLike, variance: ArrayLike, level: float) -> Interval:
    """L = 1 - F with its log(-log) CI from the variance V of F (SAP 4, amendment 1.1).

    sigma = sqrt(V) / (L |log L|); limits L^exp(+z sigma) (lower) and L^exp(-z sigma)
    (upper), z = Phi^-1(1/2 + level/2); L in {0, 1} or V = 0 gives [L, L].
    """
    survival = 1.0 - np.asarray(cif, dtype=float)
    safe = np.where(survival > 0, survival, 1.0)
    lower, upper = _loglog_limits(survival, np.sqrt(variance) / safe, level)
    return Interval(survival[()], lower[()], upper[()])


def survival_at(curve: KaplanMeier, at: ArrayLike, level: float = 0.95) -> Interval:
    """Kaplan-Meier survival at time(s) ``at`` with its log(-log) Greenwood CI."""
    lower, upper = _loglog_band(curve.survival, curve.var_log_survival, level)
    return Interval(
        step_value(curve.time, curve.survival, at, 1.0),
        step_value(curve.time, lower, at, 1.0),
        step_value(curve.time, upper, at, 1.0),
    )


def cif_at(curve: AalenJohansen, at: ArrayLike) -> float | np.ndarray:
    """Cumulative incidence of cause 1 at time(s) ``at``."""
    return step_value(curve.time, curve.cif, at, 0.0)


def cif_cluster_variance(
    time: ArrayLike, status: ArrayLike, cluster: ArrayLike, at: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Aalen-Johansen CIF of cause 1 at ``at`` and its patient-cluster IJ variance.

    The infinitesimal-jackknife (robust sandwich) variance is V = sum over clusters i of U_i^2,
    U_i = dF(tau)/dw_i, the derivative of the case-weighted estimator with respect to the
    weight of cluster i (all its records) at weights 1; no small-sample factor (SAP 4,
    amendment 1.1). With d1, d and n the weighted cause-1, all-cause and at-risk counts at
    the event times t_k <= tau, h1 = d1 / n, h = d / n and S the all-cause survival, a record
    j with time T_j contributes

        U_j = [cause 1 at t_k] S(t_k-) / n_k - sum_{t_k <= T_j} S(t_k-) h1_k / n_k
              - [any event at t_k] B_k / (n_k - d_k) + sum_{t_k <= T_j} h_k B_k / (n_k - d_k),

    B_k = F(tau) - F(t_k), and a term with n_k = d_k is 0 (nobody is left at risk after it).
    One pass of cumulative sums, so the cost is O((records + event times) log).
    """
    t, s = validate_status(time, status)
    labels = np.asarray(cluster)
    if labels.shape != t.shape:
        raise ValueError("cluster must have the same length as time")
    _, index = np.unique(labels, return_inverse=True)
    grid, d1, d2, n = _event_counts(t, s)
    points = np.atleast_1d(np.asarray(at, dtype=float))
    estimate, variance = np.zeros(points.shape), np.zeros(points.shape)
    for p, tau in enumerate(points):
        m = int(np.searchsorted(grid, tau, side="right"))
        if m == 0:
            continue  # no event by tau: F = 0 whatever the weights
        g, e1, e, r = grid[:m], d1[:m], d1[:m] + d2[:m], n[:m]
        cif, survival = cif_steps(e1, d2[:m], r)
        a = np.concatenate([[1.0], survival[:-1]]) / r
        b = np.where(r > e, (cif[-1] - cif) / np.where(r > e, r - e, 1.0), 0.0)
        k = np.searchsorted(g, t, side="right")  # event times at or before each record
        own = np.minimum(np.searchsorted(g, t), m - 1)
        event = (s != 0) & (t <= tau)
        influence = (
            np.where(event & (s == 1), a[own], 0.0)
            - np.concatenate([[0.0], np.cumsum(a * e1 / r)])[k]
            - np.where(event, b[own], 0.0)
            + np.concatenate([[0.0], np.cumsum(e / r * b)])[k]
        )
        estimate[p] = cif[-1]
        variance[p] = float(np.sum(np.bincount(index, weights=influence) ** 2))
    return estimate, variance


def patients_at_risk(time: ArrayLike, cluster: ArrayLike, at: float) -> int:
    """Patients (clusters) with at least one unit still at risk just before `at` (time >= at),
    each counted once whatever its number of units (SAP amendment 1.2a)."""
    t = np.asarray(time, dtype=float)
    return int(np.unique(np.asarray(cluster)[t >= at]).size)


def no_failure_limits(n: int, level: float) -> tuple[float, float]:
    """The exact Clopper-Pearson limits for 0 failures in n: ((1 - level) / 2)^(1/n) and 1
    (alpha^(1/n) at the decision level 1 - 2 alpha); no interval (NaN) when n = 0."""
    if n < 1:
        return np.nan, np.nan
    return ((1 - check_level(level)) / 2) ** (1 / n), 1.0


def cluster_ij_interval(
    time: ArrayLike, status: ArrayLike, cluster: ArrayLike, at: ArrayLike, level: float
) -> Interval:
    """L = 1 - F at each time of `at` with its patient-cluster IJ log(-log) CI (amendment 1.1),
    where F = 0 or V = 0 the limits of amendment 1.2a instead: `no_failure_limits` for n =
    `patients_at_risk` just before that time (none when n = 0)."""
    points = np.atleast_1d(np.asarray(at, dtype=float))
    cif, variance = cif_cluster_variance(time, status, cluster, points)
    estimate, lower, upper = (
        np.atleast_1d(v).astype(float) for v in complement_loglog_ci(cif, variance, level)
    )
    for p, tau in enumerate(points):
        if cif[p] == 0 or variance[p] == 0:
            lower[p], upper[p] = no_failure_limits(patients_at_risk(time, cluster, tau), level)
    return Interval(estimate, lower, upper)


def _first_time_at_or_below(times: np.ndarray, values: np.ndarray, prob: float) -> float:
    # The tolerance absorbs rounding in the running product: with 24 distinct deaths the
    # product of (1 - 1/n) is 0.5000000000000001 after the 12th, which is exactly 0.5.
    hit = np.flatnonzero(values <= prob + _ROUNDING)
    return float(times[hit[0]]) if hit.size else float("nan")


def km_quantile(curve: KaplanMeier, prob: float = 0.5, level: float = 0.95) -> Interval:
    """Time at which survival first falls to ``prob`` or below, with its band-inversion CI."""
    lower, upper = _loglog_band(curve.survival, curve.var_log_survival, level)
    return Interval(
        _first_time_at_or_below(curve.time, curve.survival, prob),
        _first_time_at_or_below(curve.time, lower, prob),
        _first_time_at_or_below(curve.time, upper, prob),
    )


def km_median(curve: KaplanMeier, level: float = 0.95) -> Interval:
    """Median survival time with its CI (NaN where not reached)."""
    return km_quantile(curve, 0.5, level)


def median_follow_up(time: ArrayLike, death: ArrayLike, level: float = 0.95) -> Interval:
    """Reverse Kaplan-Meier median follow-up: death censors, being alive is the event."""
    t = _as_times(time)
    dead = _as_codes(death, t.size, (0, 1), "death")
    return km_median(kaplan_meier(t, 1 - dead), level)


def clopper_pearson(k: int, n: int, level: float = 0.95) -> Interval:
    """Proportion k / n with its Clopper-Pearson exact two-sided CI (0 and n handled)."""
    if not (isinstance(k, int | np.integer) and isinstance(n, int | np.integer)):
        raise TypeError("k and n must be integers")
    if n < 1 or not 0 <= k <= n:
        raise ValueError("need n >= 1 and 0 <= k <= n")
    tail = (1 - check_level(level)) / 2
    lower = 0.0 if k == 0 else float(stats.beta.ppf(tail, k, n - k + 1))
    upper = 1.0 if k == n else float(stats.beta.ppf(1 - tail, k + 1, n - k))
    return Interval(k / n, lower, upper)
