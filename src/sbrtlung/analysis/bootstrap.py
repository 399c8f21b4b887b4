"""Vectorised patient-cluster percentile bootstrap of KM survival and AJ incidence (SAP 4).

Resampling patients with replacement (all lesions of a drawn patient come along) is a
multinomial count vector w over the patients for each replicate. The estimators only need, at
each distinct event time, the numbers of events of each cause and the number at risk, and each
of these is a sum over patients, so a replicate's counts are ``w @ K`` for one sparse matrix K of
per-patient counts. A chunk of replicates is therefore one dense-by-sparse product followed by
the same cumulative product/sum (``sbrtlung.analysis.estimators``) that the direct estimators
use, with the same exact handling of tied times. Nothing is refitted per replicate.

Design choices:

- Only event times up to the latest requested time enter the grid; later events cannot change
  the estimates. The number at risk is the weighted cluster size minus the cumulative number of
  records that left before each grid time, so K has one non-zero per record and event.
- Replicate r draws its patients from ``n_clusters`` consecutive uniform doubles of one
  ``numpy.random.Generator`` seeded with ``seed`` (index = floor(u * n_clusters), whose
  departure from uniformity is of order n_clusters / 2**53). Replicates consume the stream in
  order, so the draws are the same whatever the chunk size.
- Replicates are processed in chunks of about ``_CHUNK_ELEMENTS`` array elements (a few tens of
  MB per array), so memory stays bounded for tens of thousands of patients.
- When all replicates fit in one chunk, the weight matrix is drawn once per (number of
  patients, replicates, seed) and reused (read-only) by every estimate that asks for the same
  draws, e.g. every rate of one population: the draws are identical by construction, and the
  simulation study analyses thousands of small trials.
- The Kaplan-Meier mode treats status 2 as censoring (CNSR = 1 - (EVNT == 1)).
- Percentile CIs use numpy's default (linear interpolation) quantiles of the replicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from sbrtlung.analysis.estimators import (
    check_level,
    cif_steps,
    step_value,
    survival_steps,
    validate_status,
)

Estimator = Literal["km", "cif"]

_CHUNK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class BootstrapResult:
    """Estimates at times ``at`` on the data and in every bootstrap replicate (rows)."""

    at: np.ndarray
    estimate: np.ndarray
    replicates: np.ndarray

    def ci(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Two-sided percentile CI at each time."""
        return percentile_ci(self.replicates, level)


def percentile_ci(replicates: ArrayLike, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper two-sided percentile limits over the replicates (axis 0)."""
    tail = (1 - check_level(level)) / 2
    lower, upper = np.quantile(np.asarray(replicates, dtype=float), [tail, 1 - tail], axis=0)
    return lower, upper


def cluster_weights(n_clusters: int, reps: int, seed: int, chunk_size: int) -> Iterator[np.ndarray]:
    """Multinomial resampling counts of the clusters, ``chunk_size`` replicates (rows) at a time."""
    if n_clusters < 1 or reps < 1 or chunk_size < 1:
        raise ValueError("n_clusters, reps and chunk_size must be positive")
    rng = np.random.default_rng(seed)
    for start in range(0, reps, chunk_size):
        rows = min(chunk_size, reps - start)
        drawn = (rng.random((rows, n_clusters)) * n_clusters).astype(np.intp)
        drawn += n_clusters * np.arange(rows)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=rows * n_clusters)
        # Fortran order: the product with the sparse counts then needs no copy of the weights.
        yield counts.reshape(rows, n_clusters).astype(float, order="F")


@lru_cache(maxsize=2)
def _one_chunk(n_clusters: int, reps: int, seed: int) -> np.ndarray:
    """All replicates' weights in one read-only matrix (reused: see the module docstring)."""
    (weights,) = cluster_weights(n_clusters, reps, seed, reps)
    weights.flags.writeable = False
    return weights


def _weights(n_clusters: int, reps: int, seed: int, chunk_size: int) -> Iterable[np.ndarray]:
    if chunk_size >= reps:
        return (_one_chunk(n_clusters, reps, seed),)
    return cluster_weights(n_clusters, reps, seed, chunk_size)


@dataclass(frozen=True)
class _ClusterCounts:
    """Per-cluster counts on the event-time grid: K = [cause 1 | cause 2 | left before]."""

    grid: np.ndarray
    counts: sparse.csr_array
    sizes: np.ndarray


def _cluster_counts(
    time: np.ndarray, status: np.ndarray, cluster: np.ndarray, n_clusters: int, last: float
) -> _ClusterCounts:
    grid = np.unique(time[(status != 0) & (time <= last)])
    m = grid.size
    on_grid = (status != 0) & (time <= last)
    event_col = np.searchsorted(grid, time[on_grid]) + m * (status[on_grid] - 1)
    # A record is at risk at grid time j iff j < its number of grid times at or before it.
    leaves = np.searchsorted(grid, time, side="right")
    inside = leaves < m
    rows = np.concatenate([cluster[on_grid], cluster[inside]])
    cols = np.concatenate([event_col, 2 * m + leaves[inside]])
    counts = sparse.csr_array(
        (np.ones(rows.size), (rows, cols)), shape=(n_clusters, 3 * m), dtype=float
    )
    return _ClusterCounts(grid, counts, np.bincount(cluster, minlength=n_clusters).astype(float))


def _replicate_estimates(
    weights: np.ndarray, data: _ClusterCounts, at: np.ndarray, estimator: Estimator
) -> np.ndarray:
    """Estimates at ``at`` (columns) for each row of cluster weights."""
    m = data.grid.size
    summed = np.asarray(weights @ data.counts)
    n_events, n_competing = summed[:, :m], summed[:, m : 2 * m]
    n_at_risk = (weights @ data.sizes)[:, None] - np.cumsum(summed[:, 2 * m :], axis=1)
    if estimator == "km":
        return step_value(data.grid, survival_steps(n_events, n_at_risk), at, 1.0)
    cif = cif_steps(n_events, n_competing, n_at_risk)[0]
    return step_value(data.grid, cif, at, 0.0)


def cluster_bootstrap(
    time: ArrayLike,
    status: ArrayLike,
    cluster: ArrayLike,
    at: ArrayLike,
    *,
    seed: int,
    estimator: Estimator = "cif",
    reps: int = 2000,
    chunk_size: int | None = None,
) -> BootstrapResult:
    """Patient-cluster bootstrap of KM survival (``"km"``) or cause-1 CIF (``"cif"``) at ``at``.

    ``status`` is 0 censored, 1 event, 2 competing event; ``cluster`` labels the patient of each
    record. Resampling weights are over ``np.unique(cluster)`` in that order (see
    ``cluster_weights``). ``chunk_size`` (replicates per chunk) only bounds memory.
    """
    if estimator not in ("km", "cif"):
        raise ValueError("estimator must be 'km' or 'cif'")
    t, s = validate_status(time, status)
    labels = np.asarray(cluster)
    if labels.shape != t.shape:
        raise ValueError("cluster must have the same length as time")
    at = np.atleast_1d(np.asarray(at, dtype=float))
    if at.ndim != 1 or not np.all(np.isfinite(at)):
        raise ValueError("at must be finite times")
    if estimator == "km":
        s = (s == 1).astype(int)
    _, index = np.unique(labels, return_inverse=True)
    n_clusters = int(index.max()) + 1
    data = _cluster_counts(t, s, index, n_clusters, float(at.max()))
    if chunk_size is None:
        chunk_size = max(1, _CHUNK_ELEMENTS // max(n_clusters, 3 * data.grid.size))
    estimate = _replicate_estimates(np.ones((1, n_clusters)), data, at, estimator)[0]
    replicates = np.concatenate(
        [
            _replicate_estimates(w, data, at, estimator)
            for w in _weights(n_clusters, reps, seed, chunk_size)
        ]
    )
    return BootstrapResult(at, estimate, replicates)
