"""Vectorised cluster bootstrap against explicit resampling and refitting."""

import tracemalloc

import numpy as np
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from sbrtlung.analysis.bootstrap import cluster_bootstrap, cluster_weights, percentile_ci
from sbrtlung.analysis.estimators import aalen_johansen, cif_at, kaplan_meier, survival_at

TOL = 1e-10
AT = np.array([-1.0, 0.0, 7.5, 20.0, 31.0, 500.0])  # before, at 0, between, beyond the last time


def cohort(
    seed: int, n_patients: int = 40, untied: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patients with 1-3 lesions; integer days (ties within and across patients) or untied."""
    rng = np.random.default_rng(seed)
    lesions = rng.integers(1, 4, n_patients)
    patient = np.repeat([f"P{i:03d}" for i in range(n_patients)], lesions)
    time = rng.integers(0, 30, patient.size).astype(float)
    status = rng.choice([0, 1, 2], patient.size, p=[0.5, 0.3, 0.2])
    if untied:
        time = time + rng.permutation(patient.size) / patient.size + 0.5 / patient.size
    return time, status, patient


def resampled(weights: np.ndarray, patient: np.ndarray) -> np.ndarray:
    """Record multiplicities of one replicate (weights follow np.unique(patient))."""
    return weights[np.unique(patient, return_inverse=True)[1]].astype(int)


def refit_ours(time, status, copies, estimator: str) -> np.ndarray:
    t, s = np.repeat(time, copies), np.repeat(status, copies)
    if estimator == "km":
        return survival_at(kaplan_meier(t, s == 1), AT).estimate
    return cif_at(aalen_johansen(t, s), AT)


def refit_lifelines(time, status, copies, estimator: str) -> np.ndarray:
    """lifelines with frequency weights, so duplicated patients create no tied rows."""
    keep = copies > 0
    t, s, w = time[keep], status[keep], copies[keep].astype(float)
    if estimator == "km":
        fit = KaplanMeierFitter().fit(t, s == 1, weights=w)
        curve = fit.survival_function_.iloc[:, 0]
        before = 1.0
    else:
        fit = AalenJohansenFitter(calculate_variance=False).fit(t, s, 1, weights=w)
        curve = fit.cumulative_density_.iloc[:, 0]
        before = 0.0
    return np.array([curve.asof(a) if a >= curve.index[0] else before for a in AT])


@pytest.mark.parametrize("estimator", ["km", "cif"])
def test_replicates_equal_refitting_our_estimator(estimator: str) -> None:
    time, status, patient = cohort(11)
    time[0], status[0] = 0.0, 1  # an event at time 0
    reps, seed = 8, 123
    result = cluster_bootstrap(time, status, patient, AT, seed=seed, estimator=estimator, reps=reps)
    weights = next(cluster_weights(np.unique(patient).size, reps, seed, reps))
    for r in range(reps):
        expected = refit_ours(time, status, resampled(weights[r], patient), estimator)
        np.testing.assert_allclose(result.replicates[r], expected, atol=TOL, rtol=0)
    np.testing.assert_allclose(
        result.estimate, refit_ours(time, status, np.ones(time.size, int), estimator), atol=TOL
    )


@pytest.mark.parametrize("estimator", ["km", "cif"])
def test_replicates_equal_refitting_lifelines_untied(estimator: str) -> None:
    time, status, patient = cohort(12, untied=True)
    assert np.unique(time).size == time.size
    reps, seed = 5, 7
    result = cluster_bootstrap(time, status, patient, AT, seed=seed, estimator=estimator, reps=reps)
    weights = next(cluster_weights(np.unique(patient).size, reps, seed, reps))
    for r in range(reps):
        expected = refit_lifelines(time, status, resampled(weights[r], patient), estimator)
        np.testing.assert_allclose(result.replicates[r], expected, atol=TOL, rtol=0)


def test_replicates_vary_and_use_whole_patients() -> None:
    time, status, patient = cohort(13)
    result = cluster_bootstrap(time, status, patient, 20.0, seed=1, reps=50)
    assert np.unique(result.replicates).size > 10
    weights = next(cluster_weights(np.unique(patient).size, 50, 1, 50))
    assert (weights.sum(axis=1) == np.unique(patient).size).all()
    assert weights.min() == 0 and weights.max() >= 2


@pytest.mark.parametrize("estimator", ["km", "cif"])
def test_chunk_size_invariance(estimator: str) -> None:
    time, status, patient = cohort(14, n_patients=31)  # odd number of clusters
    runs = [
        cluster_bootstrap(
            time, status, patient, AT, seed=5, estimator=estimator, reps=23, chunk_size=chunk
        ).replicates
        for chunk in (1, 4, 23, 100, None)
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0], other)


def test_seed_determinism() -> None:
    time, status, patient = cohort(15)
    first = cluster_bootstrap(time, status, patient, [10, 20], seed=99, reps=40)
    again = cluster_bootstrap(time, status, patient, [10, 20], seed=99, reps=40)
    other = cluster_bootstrap(time, status, patient, [10, 20], seed=100, reps=40)
    np.testing.assert_array_equal(first.replicates, again.replicates)
    assert not np.array_equal(first.replicates, other.replicates)


def test_percentile_ci() -> None:
    time, status, patient = cohort(16)
    result = cluster_bootstrap(time, status, patient, [10, 20], seed=3, reps=200)
    for level in (0.95, 0.9):
        lower, upper = result.ci(level)
        tail = (1 - level) / 2
        np.testing.assert_array_equal(lower, np.quantile(result.replicates, tail, axis=0))
        np.testing.assert_array_equal(upper, np.quantile(result.replicates, 1 - tail, axis=0))
    assert (result.ci(0.9)[0] >= result.ci(0.95)[0]).all()
    assert (result.ci(0.9)[1] <= result.ci(0.95)[1]).all()
    assert percentile_ci([[0.1], [0.3]], 0.5) == (pytest.approx([0.15]), pytest.approx([0.25]))
    with pytest.raises(ValueError):
        percentile_ci([0.1, 0.2], 1.5)


def test_edge_cases() -> None:
    time, _, patient = cohort(17)
    censored = np.zeros(time.size, int)
    assert (cluster_bootstrap(time, censored, patient, AT, seed=1, reps=5).replicates == 0).all()
    km = cluster_bootstrap(time, censored, patient, AT, seed=1, reps=5, estimator="km")
    assert (km.replicates == 1).all()

    status = np.ones(time.size, int)
    early = cluster_bootstrap(time + 1, status, patient, [0.5], seed=1, reps=5)
    assert (early.replicates == 0).all()
    late = cluster_bootstrap(time, status, patient, [1000.0], seed=1, reps=5, estimator="km")
    assert (late.replicates == 0).all() and late.estimate[0] == 0


def test_rejects_bad_input() -> None:
    time, status, patient = cohort(18)
    with pytest.raises(ValueError):
        cluster_bootstrap(time, status, patient, 10, seed=1, estimator="nelson")
    with pytest.raises(ValueError):
        cluster_bootstrap(time, status, patient[:-1], 10, seed=1)
    with pytest.raises(ValueError):
        cluster_bootstrap(time, status, patient, np.nan, seed=1)
    with pytest.raises(ValueError):
        next(cluster_weights(10, 5, 1, 0))


@pytest.mark.slow
def test_large_trial_memory_stays_bounded() -> None:
    """50,000 patients, B = 2000: chunks keep the peak far below one unchunked array set."""
    time, status, patient = cohort(19, n_patients=50_000)
    tracemalloc.start()
    result = cluster_bootstrap(time, status, patient, [10.0, 20.0], seed=2, reps=2000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 400e6  # one dense 2000 x 50,000 float array alone is 800 MB
    np.testing.assert_allclose(result.estimate, cif_at(aalen_johansen(time, status), [10, 20]))
    assert np.all(np.abs(result.replicates.mean(axis=0) - result.estimate) < 0.01)
