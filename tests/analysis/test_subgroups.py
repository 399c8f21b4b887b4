"""SAP 1.2e: the Cox model against lifelines, and the subgroup HR on a large trial."""

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from sbrtlung.analysis.cox import cox_fit
from sbrtlung.analysis.subgroups import subgroups


def clustered(seed: int, n_patients: int = 80):
    rng = np.random.default_rng(seed)
    patient = np.repeat(np.arange(n_patients), rng.integers(1, 4, n_patients))
    n = len(patient)
    x = np.column_stack([rng.integers(0, 2, n), rng.integers(0, 2, n)]).astype(float)
    frailty = rng.gamma(2.0, 0.5, n_patients)[patient]
    time = rng.exponential(500 / (frailty * np.exp(0.8 * x[:, 0] - 0.4 * x[:, 1])))
    event = (time < 900) & (rng.random(n) < 0.85)
    return np.minimum(time, 900.0), event, x, patient


@pytest.mark.parametrize("seed", range(3))
def test_cox_equals_lifelines_cluster_col(seed):
    """Continuous times (no ties): lifelines' score residuals assume none."""
    time, event, x, patient = clustered(seed)
    fit = cox_fit(time, event, x, patient)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "T": time, "E": event, "c": patient})
    ref = CoxPHFitter().fit(frame, "T", "E", cluster_col="c", fit_options={"precision": 1e-12})
    ci = np.exp(ref.confidence_intervals_.to_numpy())
    assert fit.hr == pytest.approx(np.exp(ref.params_.to_numpy()), abs=1e-6)
    assert fit.se == pytest.approx(ref.standard_errors_.to_numpy(), abs=1e-6)
    assert fit.ci95[0] == pytest.approx(ci[:, 0], abs=1e-6)
    assert fit.ci95[1] == pytest.approx(ci[:, 1], abs=1e-6)
    assert fit.p == pytest.approx(ref.summary["p"].to_numpy(), abs=1e-6)


def test_tied_times_give_lifelines_point_estimate():
    time, event, x, patient = clustered(5)
    time = np.ceil(time / 30)  # months: many ties, Efron's method in both
    fit = cox_fit(time, event, x, patient)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "T": time, "E": event, "c": patient})
    ref = CoxPHFitter().fit(frame, "T", "E", cluster_col="c", fit_options={"precision": 1e-12})
    assert fit.hr == pytest.approx(np.exp(ref.params_.to_numpy()), abs=1e-6)
    # the robust variance's score residuals sum to the score, zero at the maximum
    assert np.isfinite(fit.se).all()


@pytest.mark.slow
def test_central_nodules_hazard_ratio_is_recovered_on_a_large_trial():
    from sbrtlung import config
    from sbrtlung.adam.adles import derive_adles
    from sbrtlung.adam.adsl import derive_adsl
    from sbrtlung.adam.adtte import derive_adtte
    from sbrtlung.synthetic.simulate import simulate_trial
    from sbrtlung.validation.period import latest_date

    c = config.load(simulation={"n_patients": 1500, "central_local_hr": 2.5})
    tables = simulate_trial(c["simulation"], seed=11)
    adles = derive_adles(tables)
    adsl = derive_adsl(tables, adles, cut=latest_date(tables))
    adtte = derive_adtte(tables, adsl, adles, c["month_days"])
    table = subgroups(adtte, adsl, adles, c["horizon_days"])
    row = table[(table["factor"] == "location") & (table["level"] == "central")].iloc[0]
    assert row["hr_ci95_low"] < 2.5 < row["hr_ci95_high"]
    assert row["hr_ci95_high"] / row["hr_ci95_low"] < 3  # narrow enough to mean something
    peripheral = table[(table["factor"] == "location") & (table["level"] == "peripheral")]
    assert row["estimate"] < peripheral["estimate"].iloc[0]
