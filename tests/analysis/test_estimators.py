"""Estimators against lifelines / scipy, hand-worked examples and edge cases."""

import numpy as np
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.utils import median_survival_times
from scipy.stats import binomtest
from sksurv.nonparametric import SurvivalFunctionEstimator
from sksurv.util import Surv

from sbrtlung.analysis import estimators
from sbrtlung.analysis.bootstrap import cluster_bootstrap
from sbrtlung.analysis.estimators import (
    aalen_johansen,
    cif_at,
    cif_cluster_variance,
    clopper_pearson,
    complement_loglog_ci,
    kaplan_meier,
    km_median,
    median_follow_up,
    survival_at,
)

TOL = 1e-10


def tied_data(seed: int, n: int = 120, p_event: float = 0.55) -> tuple[np.ndarray, np.ndarray]:
    """Integer days with many ties of events and censorings, an event at time 0 included."""
    rng = np.random.default_rng(seed)
    time = rng.integers(0, 40, n).astype(float)
    event = (rng.random(n) < p_event).astype(int)
    time[0], event[0] = 0.0, 1
    return time, event


def untied_competing(seed: int, n: int = 150) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    time = rng.permutation(np.arange(1, n + 1)) + rng.random(n) * 0.5
    status = rng.choice([0, 1, 2], n, p=[0.5, 0.3, 0.2])
    return time, status


def inf_to_nan(x: float) -> float:
    return float("nan") if np.isinf(x) else float(x)


# Medians: all limits reached; upper limit not reached; median not reached; nothing reached.
KM_CASES = [(1, 0.55), (2, 0.15), (3, 0.15), (1, 0.1)]


@pytest.mark.parametrize(("seed", "p_event"), KM_CASES)
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_km_matches_lifelines(seed: int, p_event: float, level: float) -> None:
    time, event = tied_data(seed, p_event=p_event)
    ref = KaplanMeierFitter(alpha=1 - level).fit(time, event)
    ours = survival_at(kaplan_meier(time, event), ref.timeline, level)
    band = ref.confidence_interval_.to_numpy()
    np.testing.assert_allclose(ours.estimate, ref.survival_function_.to_numpy()[:, 0], atol=TOL)
    np.testing.assert_allclose(ours.lower, band[:, 0], atol=TOL)
    np.testing.assert_allclose(ours.upper, band[:, 1], atol=TOL)

    median = km_median(kaplan_meier(time, event), level)
    ref_ci = median_survival_times(ref.confidence_interval_).to_numpy()[0]
    np.testing.assert_equal(median.estimate, inf_to_nan(ref.median_survival_time_))
    np.testing.assert_equal(median.lower, inf_to_nan(ref_ci[0]))
    np.testing.assert_equal(median.upper, inf_to_nan(ref_ci[1]))


def test_km_cases_cover_reached_and_unreached_medians() -> None:
    """The lifelines comparison above must see every pattern of finite and NaN limits."""
    patterns = [
        tuple(np.isfinite(km_median(kaplan_meier(*tied_data(seed, p_event=p)))))
        for seed, p in KM_CASES
    ]
    assert patterns == [(True,) * 3, (True, True, False), (False, True, False), (False,) * 3]


def test_km_greenwood_by_hand() -> None:
    # times 1 2 2 3 4, events 1 1 0 1 0 (the censoring at 2 is at risk at 2)
    # t=1: n=5 d=1 S=0.8           sum = 1/20
    # t=2: n=4 d=1 S=0.6           sum = 1/20 + 1/12
    # t=3: n=2 d=1 S=0.3           sum = 1/20 + 1/12 + 1/2 = 19/30; Var S = 0.09 * 19/30
    curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    np.testing.assert_array_equal(curve.time, [1, 2, 3])
    np.testing.assert_array_equal(curve.n_at_risk, [5, 4, 2])
    np.testing.assert_array_equal(curve.n_events, [1, 1, 1])
    np.testing.assert_allclose(curve.survival, [0.8, 0.6, 0.3], atol=1e-15)
    np.testing.assert_allclose(curve.var_log_survival, [1 / 20, 2 / 15, 19 / 30], atol=1e-15)
    np.testing.assert_allclose(curve.variance[-1], 0.09 * 19 / 30, atol=1e-15)
    assert km_median(curve).estimate == 3.0


@pytest.mark.parametrize(("n", "median"), [(4, 2.0), (10, 5.0), (24, 12.0), (7, 4.0)])
def test_km_median_at_exactly_one_half(n: int, median: float) -> None:
    """n distinct deaths: S = 1 - k/n, so the median is the (n/2)-th death when n is even.

    With n = 24 the running product rounds to 0.5000000000000001 at the 12th death.
    """
    assert km_median(kaplan_meier(np.arange(1, n + 1), np.ones(n))).estimate == median


def test_km_edge_cases() -> None:
    censored = kaplan_meier([3, 5, 8], [0, 0, 0])
    assert censored.time.size == 0
    assert survival_at(censored, 10) == (1.0, 1.0, 1.0)
    assert all(np.isnan(km_median(censored)))

    at_zero = kaplan_meier([0, 0, 2, 5], [1, 0, 1, 0])
    assert survival_at(at_zero, 0).estimate == pytest.approx(0.75)
    assert survival_at(at_zero, -1).estimate == 1.0
    assert survival_at(at_zero, 1.999).estimate == pytest.approx(0.75)
    # at 2: n = 2 (times 2 and 5), d = 1
    assert survival_at(at_zero, 2).estimate == pytest.approx(0.75 * 0.5)
    assert survival_at(at_zero, 99).estimate == pytest.approx(0.75 * 0.5)

    to_zero = kaplan_meier([1, 2, 3], [1, 0, 1])
    assert survival_at(to_zero, 3) == (0.0, 0.0, 0.0)
    assert km_median(to_zero).estimate == 3.0


@pytest.mark.parametrize(
    ("time", "event"),
    [([], []), ([1, 2], [1]), ([1, -2], [1, 0]), ([1, np.nan], [1, 0]), ([1, 2], [1, 2])],
)
def test_km_rejects_bad_input(time: list, event: list) -> None:
    with pytest.raises(ValueError):
        kaplan_meier(time, event)


@pytest.mark.parametrize("seed", [4, 5])
def test_aalen_johansen_matches_lifelines_untied(seed: int) -> None:
    time, status = untied_competing(seed)
    ref = AalenJohansenFitter(calculate_variance=False).fit(time, status, event_of_interest=1)
    timeline = ref.cumulative_density_.index.to_numpy()
    np.testing.assert_allclose(
        cif_at(aalen_johansen(time, status), timeline),
        ref.cumulative_density_.to_numpy()[:, 0],
        atol=TOL,
    )


def test_aalen_johansen_tied_by_hand() -> None:
    # t=1: n=6, one cause-1, one cause-2, one censoring (at risk at 1). S(1-)=1.
    #      CIF1 = 1/6, CIF2 = 1/6, S(1) = 1 - 2/6 = 2/3.
    # t=2: n=3, one cause-1. CIF1 = 1/6 + (2/3)(1/3) = 7/18, S(2) = (2/3)(2/3) = 4/9.
    # t=3: n=2, one cause-2 and one censoring. CIF2 = 1/6 + (4/9)(1/2) = 7/18, S(3) = 2/9.
    # Check: 7/18 + 7/18 + 2/9 = 1.
    curve = aalen_johansen([1, 1, 1, 2, 3, 3], [1, 2, 0, 1, 0, 2])
    np.testing.assert_array_equal(curve.n_at_risk, [6, 3, 2])
    np.testing.assert_allclose(curve.cif, [1 / 6, 7 / 18, 7 / 18], atol=1e-15)
    np.testing.assert_allclose(curve.cif_competing, [1 / 6, 1 / 6, 7 / 18], atol=1e-15)
    np.testing.assert_allclose(curve.survival, [2 / 3, 4 / 9, 2 / 9], atol=1e-15)
    np.testing.assert_allclose(cif_at(curve, [0.5, 1, 2.5, 730.5]), [0, 1 / 6, 7 / 18, 7 / 18])


def test_aalen_johansen_without_competing_events_is_one_minus_km() -> None:
    time, event = tied_data(6)
    grid = np.arange(-1, 45, 0.5)
    np.testing.assert_allclose(
        cif_at(aalen_johansen(time, event), grid),
        1 - survival_at(kaplan_meier(time, event), grid).estimate,
        atol=1e-12,
    )


def test_aalen_johansen_edge_cases() -> None:
    assert cif_at(aalen_johansen([2, 4], [0, 0]), 5) == 0.0
    assert cif_at(aalen_johansen([2, 4], [2, 0]), 5) == 0.0
    at_zero = aalen_johansen([0, 0, 3, 4], [1, 2, 1, 0])
    assert cif_at(at_zero, 0) == pytest.approx(0.25)
    assert cif_at(at_zero, 3) == pytest.approx(0.25 + 0.5 * 0.5)
    with pytest.raises(ValueError):
        aalen_johansen([1, 2], [1, 3])


@pytest.mark.parametrize("seed", [7, 8])
def test_reverse_km_median_follow_up_matches_lifelines(seed: int) -> None:
    time, death = tied_data(seed, p_event=0.35)
    ref = KaplanMeierFitter().fit(time, 1 - death)
    ref_ci = median_survival_times(ref.confidence_interval_).to_numpy()[0]
    ours = median_follow_up(time, death)
    np.testing.assert_equal(
        [ours.estimate, ours.lower, ours.upper],
        [inf_to_nan(ref.median_survival_time_), *map(inf_to_nan, ref_ci)],
    )
    assert np.isfinite(ours.estimate)


@pytest.mark.parametrize("n", [1, 2, 7, 40, 150])
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_clopper_pearson_matches_scipy(n: int, level: float) -> None:
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        ref = binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
        ours = clopper_pearson(k, n, level)
        assert ours.estimate == k / n
        assert ours.lower == pytest.approx(ref.low, abs=TOL)
        assert ours.upper == pytest.approx(ref.high, abs=TOL)
    assert clopper_pearson(0, n, level).lower == 0.0
    assert clopper_pearson(n, n, level).upper == 1.0


@pytest.mark.parametrize(
    ("k", "n", "level"), [(3, 2, 0.95), (-1, 5, 0.95), (1, 0, 0.95), (1, 5, 1.0)]
)
def test_clopper_pearson_rejects_bad_input(k: int, n: int, level: float) -> None:
    with pytest.raises(ValueError):
        clopper_pearson(k, n, level)


# --- Patient-cluster infinitesimal-jackknife variance of the CIF (SAP 4, amendment 1.1) ---


def weighted_cif(time, status, weight, tau) -> float:
    """Case-weighted Aalen-Johansen CIF of cause 1 at tau, written out as a plain loop."""
    cif, survival = 0.0, 1.0
    for u in np.unique(time[(status != 0) & (time <= tau)]):
        at_risk = weight[time >= u].sum()
        d1 = weight[(time == u) & (status == 1)].sum()
        d = weight[(time == u) & (status != 0)].sum()
        cif += survival * d1 / at_risk
        survival *= 1 - d / at_risk
    return cif


def numerical_ij_variance(time, status, cluster, tau, step=1e-5) -> float:
    """Sum over patients of the squared central-difference derivative of F(tau) in their weight."""
    total = 0.0
    for patient in np.unique(cluster):
        bump = np.where(cluster == patient, step, 0.0)
        up = weighted_cif(time, status, 1 + bump, tau)
        down = weighted_cif(time, status, 1 - bump, tau)
        total += ((up - down) / (2 * step)) ** 2
    return total


def clustered_ties(seed: int, patients: int = 25):
    """1-4 nodules per patient, integer days with ties of both causes (and of censorings);
    a patient's competing death ends all of their nodules on one day."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, patients)
    cluster = np.repeat(np.arange(patients), sizes)
    time = rng.integers(1, 30, cluster.size).astype(float)
    status = rng.choice([0, 1, 2], cluster.size, p=[0.45, 0.35, 0.20])
    death = rng.random(patients) < 0.3
    death_day = rng.integers(5, 35, patients).astype(float)
    dies = death[cluster] & (death_day[cluster] < time)
    time, status = np.where(dies, death_day[cluster], time), np.where(dies, 2, status)
    return time, status, cluster


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("tau", [12.0, 25.0, 100.0])
def test_ij_variance_is_the_derivative_in_each_patients_weight(seed, tau):
    time, status, cluster = clustered_ties(seed)
    assert len(np.unique(time[status == 1])) < (status == 1).sum()  # ties of cause 1 ...
    tied = set(time[status == 1]) & set(time[status == 2])
    assert tied  # ... and of both causes at one time
    estimate, variance = cif_cluster_variance(time, status, cluster, [tau])
    assert estimate[0] == pytest.approx(cif_at(aalen_johansen(time, status), tau), abs=1e-14)
    assert variance[0] == pytest.approx(numerical_ij_variance(time, status, cluster, tau), rel=1e-8)


def test_ij_variance_with_one_nodule_per_patient_is_the_lesion_level_variance():
    time, status, _ = clustered_ties(5)
    per_record = np.arange(time.size)
    _, lesion = cif_cluster_variance(time, status, per_record, [20.0])
    _, shuffled = cif_cluster_variance(time, status, per_record[::-1].astype(str), [20.0])
    assert lesion[0] == pytest.approx(numerical_ij_variance(time, status, per_record, 20.0))
    assert shuffled[0] == pytest.approx(lesion[0], rel=1e-12)


def test_ij_variance_grows_when_nodules_of_a_patient_fail_together():
    """Clustering matters: the same records grouped so that failures share patients give a
    larger variance than the same records each on its own."""
    time = np.arange(1.0, 41.0)
    status = np.tile([1, 1, 0, 0], 10)
    alone = cif_cluster_variance(time, status, np.arange(40), [50.0])[1][0]
    paired = cif_cluster_variance(time, status, np.arange(40) // 2, [50.0])[1][0]
    assert paired > 1.5 * alone


def test_ij_variance_is_close_to_the_cluster_bootstrap_variance_in_a_large_trial():
    time, status, cluster = clustered_ties(6, patients=1500)
    _, variance = cif_cluster_variance(time, status, cluster, [20.0])
    boot = cluster_bootstrap(time, status, cluster, [20.0], seed=3, reps=4000).replicates[:, 0]
    assert np.sqrt(variance[0]) == pytest.approx(np.std(boot), rel=0.05)


def test_no_event_or_certain_failure_gives_a_degenerate_interval():
    time = np.array([3.0, 5.0, 8.0, 8.0])
    for status in (np.array([0, 0, 2, 0]), np.array([1, 1, 1, 1])):
        (f,), (v,) = cif_cluster_variance(time, status, [1, 1, 2, 3], [10.0])
        ci = complement_loglog_ci(f, v, 0.9)
        assert ci.lower == ci.estimate == ci.upper == 1 - f
    (f,), (v,) = cif_cluster_variance(time, np.array([1, 0, 0, 0]), [1, 2, 3, 4], [1.0])
    assert (f, v) == (0.0, 0.0)  # nothing happened by tau


def test_complement_loglog_ci_by_hand():
    from scipy.stats import norm

    cif, variance = 0.15, 0.04**2
    survival = 1 - cif
    for level, alpha in ((0.90, 0.05), (0.95, 0.025)):
        z = norm.ppf(1 - alpha)
        sigma = np.sqrt(variance) / (survival * abs(np.log(survival)))
        ci = complement_loglog_ci(cif, variance, level)
        assert ci.estimate == pytest.approx(survival)
        assert ci.lower == pytest.approx(survival ** np.exp(z * sigma), abs=1e-14)
        assert ci.upper == pytest.approx(survival ** np.exp(-z * sigma), abs=1e-14)
    assert complement_loglog_ci(cif, 0.0, 0.9).lower == survival


@pytest.mark.parametrize("seed", range(4))
def test_estimable_at_is_where_somebody_is_still_followed(seed):
    rng = np.random.default_rng(seed)
    time = rng.integers(0, 40, 25).astype(float)
    event = rng.random(25) < 0.5
    event[np.argmax(time)] = False  # the curve has not reached 0 at the last time
    last = time.max()
    fitted = SurvivalFunctionEstimator().fit(Surv.from_arrays(event, time))
    for at in np.r_[0.0, np.unique(time), last + 0.5, last + 30]:
        assert estimators.estimable_at(time, at) == bool((time >= at).any()) == (at <= last)
        if estimators.estimable_at(time, at):  # scikit-survival reads the curve there, as we do
            value = fitted.predict_proba([at])[0]
            assert value == pytest.approx(survival_at(kaplan_meier(time, event), at).estimate)
        else:  # and refuses to extrapolate where we report not estimable
            with pytest.raises(ValueError, match="largest observed time"):
                fitted.predict_proba([at])


def test_not_estimable_beyond_the_last_time_even_when_the_curve_is_flat():
    # Everybody failed by day 5: the curve is 0 from then on, but nobody was observed after.
    time, event = np.array([1.0, 3.0, 5.0]), np.array([1, 1, 1])
    assert estimators.estimable_at(time, 5.0) and not estimators.estimable_at(time, 5.5)
    assert survival_at(kaplan_meier(time, event), 5.5).estimate == 0.0  # carried forward
    assert not estimators.estimable_at(np.array([]), 0.0)
