"""The efficacy curves as data, against lifelines and the efficacy table: the steps are
lifelines' estimates, the numbers at risk are counted by hand, and the values at the horizon
are the table's (same replicates and seed)."""

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis import curves, efficacy
from sbrtlung.study import Horizon
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date

HORIZON = Horizon(730.5, 365.25, 30.4375)
REPS, SEED = 60, 11
LIMITS = ["estimate", "lower", "upper"]


@pytest.fixture(scope="module")
def trial():
    cfg = config.load(simulation={"n_patients": 30})
    tables = simulate_trial(cfg["simulation"], 5)
    adam = derive_all(tables, cfg, latest_date(tables))
    drawn = curves.efficacy_curves(adam["adtte"], HORIZON, REPS, SEED)
    return adam["adsl"], adam["adtte"], drawn


def _curve(drawn: pd.DataFrame, paramcd: str, name: str) -> pd.DataFrame:
    return drawn[(drawn["paramcd"] == paramcd) & (drawn["curve"] == name)]


def test_every_figure_curve_is_there_once(trial):
    _, _, drawn = trial
    assert list(drawn.columns) == curves.COLUMNS
    kinds = drawn.groupby("paramcd")["curve"].unique().map(set).to_dict()
    assert kinds["LF"] == {"aj", "aj_band", "km", "horizon_cif", "horizon_km", "at_risk"}
    for code in ("PFS", "OS"):
        assert kinds[code] == {"km", "censored", "horizon_km", "at_risk"}
    for code in ("LFPT", "RR", "DM"):
        assert kinds[code] == {"aj", "horizon_cif", "at_risk"}


def test_steps_are_lifelines_estimates(trial):
    _, adtte, drawn = trial
    pfs = adtte[adtte["PARAMCD"] == "PFS"]
    kmf = KaplanMeierFitter().fit(pfs["AVAL"], pfs["EVNT"] == 1)
    km = _curve(drawn, "PFS", "km")
    expected = kmf.survival_function_at_times(km["time"]).to_numpy()
    np.testing.assert_allclose(km["estimate"], expected, rtol=1e-12)
    rr = adtte[adtte["PARAMCD"] == "RR"]
    ajf = AalenJohansenFitter(calculate_variance=False).fit(
        rr["AVAL"], rr["EVNT"].to_numpy(), event_of_interest=1
    )
    aj = _curve(drawn, "RR", "aj")
    reference = ajf.cumulative_density_.iloc[:, 0]
    at = reference.index.searchsorted(aj["time"].to_numpy(), side="right") - 1
    np.testing.assert_allclose(aj["estimate"], reference.to_numpy()[at], atol=1e-12)


def test_numbers_at_risk_are_counted_at_every_time_of_follow_up(trial):
    _, adtte, drawn = trial
    at_risk = _curve(drawn, "OS", "at_risk")
    aval = adtte.loc[adtte["PARAMCD"] == "OS", "AVAL"].to_numpy()
    assert at_risk["time"].tolist() == sorted(set(aval))
    assert at_risk["estimate"].tolist() == [float((aval >= t).sum()) for t in at_risk["time"]]


def test_values_at_the_horizon_are_the_efficacy_tables(trial):
    adsl, adtte, drawn = trial
    rates = efficacy.rates(adtte, adsl, {"2y": HORIZON.days}, REPS, SEED, 0.05)
    rates = rates.set_index("key")[["estimate", "lower95", "upper95"]]
    value = _curve(drawn, "DM", "horizon_cif").iloc[0]
    assert value["time"] == HORIZON.days
    np.testing.assert_array_equal(value[LIMITS].to_numpy(float), rates.loc["distant_metastasis"])
    pfs = _curve(drawn, "PFS", "horizon_km").iloc[0]
    np.testing.assert_allclose(pfs[LIMITS].to_numpy(float), rates.loc["pfs"], rtol=1e-12)
    km = _curve(drawn, "LF", "horizon_km").iloc[0]
    np.testing.assert_array_equal(km[LIMITS].to_numpy(float), rates.loc["lcr_km"])


def test_a_horizon_nobody_reaches_is_not_estimable(trial):
    _, adtte, _ = trial
    far = curves.efficacy_curves(adtte, Horizon(1e5, 365.25, 30.4375), 20, 1)
    values = far[far["curve"].str.startswith("horizon")]
    assert len(values) == 7 and values[LIMITS].isna().all().all()
