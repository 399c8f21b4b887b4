"""The Pocock-type continuous toxicity boundary of Ivanova, Qaqish and Schell (2005), SAP 1.2g.

For n = 1..N evaluable patients the boundary b_n is the smallest integer b with
P(Bin(n, p0) >= b) <= c, and c is the largest nominal level for which the probability of
X_n >= b_n for some n <= N under p0 is at most alpha. That probability is exact: the
distribution of the number of events among the paths that have not crossed is carried one
patient at a time (each patient is an event with probability p), and the mass that reaches
b_n is removed as it crosses.

The crossing probability is a step function of c that rises only where c equals a binomial
tail P(Bin(n, p0) >= b) with b <= n; between two such values the boundary does not change.
The nominal level reported is therefore the largest of these tails whose boundary keeps the
crossing probability at most alpha: every c from it up to the next tail gives the same
boundary. A boundary of n + 1 means that n patients cannot cross.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom


@dataclass(frozen=True)
class Operating:
    """Probability of crossing by N and expected number of evaluable patients at stopping
    (N when the boundary is never crossed) under one true toxicity rate."""

    p_cross: float
    expected_n: float


def _tails(n_max: int, p0: float) -> np.ndarray:
    """tails[n - 1, b] = P(Bin(n, p0) >= b) for b = 0..n_max + 1 (0 above n)."""
    n = np.arange(1, n_max + 1)[:, None]
    b = np.arange(n_max + 2)[None, :]
    return np.where(b <= n, binom.sf(b - 1, n, p0), 0.0)


def boundaries(n_max: int, p0: float, c: float) -> np.ndarray:
    """b_n for n = 1..n_max: the smallest b with P(Bin(n, p0) >= b) <= c."""
    tails = _tails(n_max, p0)
    return np.argmax(tails <= c, axis=1)  # the tail falls with b and is 0 at b = n + 1


def operating(bounds: np.ndarray, p: float) -> Operating:
    """Exact probability of crossing `bounds` (b_1..b_N) and expected stopping n under p."""
    alive = np.zeros(len(bounds) + 2)  # alive[x]: not crossed yet, with x events so far
    alive[0] = 1.0
    crossed = 0.0
    expected = 0.0
    for bound in bounds:
        expected += alive.sum()  # still monitoring before this patient: 1 more to E[stop]
        alive = alive * (1 - p) + np.concatenate(([0.0], alive[:-1])) * p
        crossed += alive[bound:].sum()
        alive[bound:] = 0.0
    return Operating(float(crossed), float(expected))


@dataclass(frozen=True)
class Boundary:
    """The boundary table and its design: p0, alpha, N, the nominal level c, b_1..b_N."""

    p0: float
    alpha: float
    nominal_level: float
    bounds: np.ndarray

    @property
    def planned(self) -> int:
        return len(self.bounds)

    def at(self, n: int) -> int:
        """b_n, also beyond N (the same nominal level), for a trial that evaluates more."""
        if n <= self.planned:
            return int(self.bounds[n - 1])
        return int(boundaries(n, self.p0, self.nominal_level)[-1])


def pocock_boundary(n_max: int, p0: float, alpha: float) -> Boundary:
    """The boundary with the largest nominal level c whose exact crossing probability under p0
    is at most alpha (bisection over the sorted binomial tails, where the boundary changes)."""
    if n_max < 1 or not 0 < p0 < 1 or not 0 < alpha < 1:
        raise ValueError(f"need N >= 1 and 0 < p0, alpha < 1: N={n_max}, p0={p0}, alpha={alpha}")
    tails = _tails(n_max, p0)
    levels = np.unique(tails[(tails > 0) & (tails < 1)])
    low, high = -1, len(levels)  # levels[low] keeps alpha (or none does), levels[high] does not
    while high - low > 1:
        middle = (low + high) // 2
        risk = operating(boundaries(n_max, p0, levels[middle]), p0).p_cross
        low, high = (middle, high) if risk <= alpha else (low, middle)
    level = float(levels[low]) if low >= 0 else 0.0
    return Boundary(p0, alpha, level, boundaries(n_max, p0, level))
