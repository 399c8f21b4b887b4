"""The toxicity boundary against the published design and against brute force written apart:
tails by math.comb, crossing by enumerating every sequence of patients, Monte Carlo."""

import itertools
import math

import numpy as np
import pytest

from sbrtlung.monitoring.boundary import boundaries, operating, pocock_boundary


def tail(n: int, b: int, p: float) -> float:
    """P(Bin(n, p) >= b), summed term by term."""
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(b, n + 1))


def brute_bounds(n_max: int, p0: float, c: float) -> list[int]:
    return [next(b for b in range(n + 2) if tail(n, b, p0) <= c) for n in range(1, n_max + 1)]


def brute_crossing(bounds: list[int], p: float) -> tuple[float, float]:
    """Every sequence of N patients (event or not), its probability, where it first crosses."""
    n_max = len(bounds)
    crossed = expected = 0.0
    for outcome in itertools.product((0, 1), repeat=n_max):
        weight = p ** sum(outcome) * (1 - p) ** (n_max - sum(outcome))
        events = np.cumsum(outcome)
        hits = [n for n in range(n_max) if events[n] >= bounds[n]]
        crossed += weight if hits else 0.0
        expected += weight * (hits[0] + 1 if hits else n_max)
    return crossed, expected


def test_the_checked_design():
    """p0 0.10, alpha 0.10, N 66 (the plan's design, computed twice independently)."""
    design = pocock_boundary(66, 0.10, 0.10)
    at = {n: design.at(n) for n in (5, 10, 20, 30, 50, 66)}
    assert at == {5: 3, 10: 4, 20: 6, 30: 7, 50: 10, 66: 13}
    assert round(operating(design.bounds, 0.10).p_cross, 3) == 0.097
    assert round(operating(design.bounds, 0.25).p_cross, 3) == 0.946


@pytest.mark.parametrize("n_max, p0, c", [(12, 0.1, 0.03), (10, 0.2, 0.05), (14, 0.3, 0.01)])
def test_boundaries_and_crossing_match_enumeration(n_max, p0, c):
    bounds = boundaries(n_max, p0, c)
    assert list(bounds) == brute_bounds(n_max, p0, c)
    for p in (p0, 0.4):
        got = operating(bounds, p)
        crossed, expected = brute_crossing(list(bounds), p)
        assert got.p_cross == pytest.approx(crossed, abs=1e-12)
        assert got.expected_n == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("n_max, p0, alpha", [(12, 0.1, 0.10), (11, 0.2, 0.05), (13, 0.15, 0.2)])
def test_nominal_level_is_the_largest_that_keeps_alpha(n_max, p0, alpha):
    """Every candidate level (each binomial tail), scanned one by one."""
    design = pocock_boundary(n_max, p0, alpha)
    levels = sorted({tail(n, b, p0) for n in range(1, n_max + 1) for b in range(1, n + 1)})
    keeps = [c for c in levels if brute_crossing(brute_bounds(n_max, p0, c), p0)[0] <= alpha]
    assert design.nominal_level == pytest.approx(max(keeps), rel=1e-12)
    assert list(design.bounds) == brute_bounds(n_max, p0, max(keeps))
    above = [c for c in levels if c > max(keeps)]
    if above:  # the next level would break alpha
        assert brute_crossing(brute_bounds(n_max, p0, above[0]), p0)[0] > alpha


def test_monte_carlo_agrees_at_the_planned_size():
    design = pocock_boundary(66, 0.10, 0.10)
    rng = np.random.default_rng(7)
    for p in (0.10, 0.25):
        events = np.cumsum(rng.random((200_000, 66)) < p, axis=1)
        hit = events >= design.bounds
        crossed = hit.any(axis=1)
        stop = np.where(crossed, hit.argmax(axis=1) + 1, 66)
        exact = operating(design.bounds, p)
        se = math.sqrt(exact.p_cross * (1 - exact.p_cross) / len(hit))
        assert abs(crossed.mean() - exact.p_cross) < 4 * se
        assert abs(stop.mean() - exact.expected_n) < 4 * stop.std() / math.sqrt(len(stop))


def test_beyond_the_planned_size_the_same_level_applies():
    design = pocock_boundary(20, 0.10, 0.10)
    assert design.at(20) == design.bounds[-1]
    assert design.at(30) == brute_bounds(30, 0.10, design.nominal_level)[-1]


def test_bad_design_is_refused():
    with pytest.raises(ValueError, match="p0"):
        pocock_boundary(10, 1.5, 0.1)
