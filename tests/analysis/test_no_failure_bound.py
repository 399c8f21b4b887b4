"""SAP amendment 1.2a: the exact limits of an IJ interval without a failure by the horizon."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from sbrtlung.analysis import efficacy
from sbrtlung.analysis.estimators import cluster_ij_interval, no_failure_limits, patients_at_risk

TAU = 730.5


def no_failure_trial():
    """Six patients, nine nodules, no local failure by tau: patients 1-4 have a nodule
    followed beyond tau (patient 2 two of them), patient 5 died at day 400 (competing),
    patient 6 was censored at day 300. So n = 4 patients at risk just before tau."""
    time = np.array([800, 900, 760, 731, 820, 400, 400, 300, 950], dtype=float)
    status = np.array([0, 0, 0, 0, 0, 2, 2, 0, 1])  # a failure after tau does not count
    patient = np.array([1, 2, 2, 3, 4, 5, 5, 6, 4])
    return time, status, patient


def test_lower_limit_is_alpha_to_the_one_over_n():
    time, status, patient = no_failure_trial()
    assert patients_at_risk(time, patient, TAU) == 4
    for level, alpha in ((0.90, 0.05), (0.95, 0.025)):
        ci = cluster_ij_interval(time, status, patient, [TAU], level)
        assert ci.estimate[0] == 1.0
        assert ci.lower[0] == pytest.approx(alpha ** (1 / 4), abs=1e-15)
        assert ci.upper[0] == 1.0
        # the exact Clopper-Pearson limit of 0 failures in 4 (lower limit of the success rate)
        exact = binomtest(0, 4).proportion_ci(level, method="exact")
        assert 1 - exact.high == pytest.approx(ci.lower[0], abs=1e-12)


def test_zero_at_risk_gives_no_interval():
    assert np.isnan(no_failure_limits(0, 0.9)).all()
    time = np.array([100.0, 200.0])
    ci = cluster_ij_interval(time, np.array([0, 2]), np.array([1, 2]), [TAU], 0.9)
    assert np.isnan(ci.lower[0]) and np.isnan(ci.upper[0])


def test_a_failure_keeps_the_ij_interval():
    time, status, patient = no_failure_trial()
    status = status.copy()
    status[3] = 1  # patient 3's nodule fails at day 731 > tau: at risk just before tau
    lower = cluster_ij_interval(time, status, patient, [TAU], 0.9).lower[0]
    assert lower == pytest.approx(0.05 ** (1 / 4), abs=1e-15)
    time = time.copy()
    time[3] = 500.0  # now it fails before tau: the 1.1 interval, strictly inside (0, 1)
    ci = cluster_ij_interval(time, status, patient, [TAU], 0.9)
    assert 0 < ci.lower[0] < ci.estimate[0] < ci.upper[0] < 1


def primary_lower(time, status, patient) -> tuple[float, bool]:
    """The primary rule's lower decision limit and decision on these LF units."""
    lcr = next(rate for rate in efficacy.RATES if rate.key == "lcr")
    rows = efficacy.rate_rows(lcr, time, status, patient, {"2y": TAU}, 20, 1, 0.9)
    rule = efficacy.decision(pd.DataFrame(rows), "lcr", "2y", 0.8)
    return rule["lower"], rule["success"]


def test_no_failure_trial_is_no_success_only_when_too_small():
    """With no failure the decision depends on n: 4 patients cannot meet H0 = 80%
    (0.05^(1/4) = 0.47), 14 can (0.05^(1/14) = 0.807); nobody at risk is not estimable."""
    time, status, patient = no_failure_trial()
    lower, success = primary_lower(time, np.where(status == 1, 0, status), patient)
    assert lower == pytest.approx(0.05 ** (1 / 4)) and not success
    lower, success = primary_lower(np.full(14, 800.0), np.zeros(14, int), np.arange(14))
    assert lower == pytest.approx(0.05 ** (1 / 14)) and success
    lower, success = primary_lower(np.full(3, 700.0), np.zeros(3, int), np.arange(3))
    assert np.isnan(lower) and not success
