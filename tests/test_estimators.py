"""Estimators against lifelines / scipy, hand-worked examples and edge cases."""

import numpy as np
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.utils import median_survival_times
from scipy.stats import binomtest

from sbrtlung.estimators import (
    aalen_johansen,
    cif_at,
    clopper_pearson,
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
