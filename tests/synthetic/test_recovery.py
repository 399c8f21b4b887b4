"""Large-sample check: the whole analysis chain recovers the synthetic trial's true rates."""

import pytest

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis import efficacy
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.synthetic.truth import RATE_TRUTHS, true_values
from sbrtlung.validation.period import latest_date


@pytest.mark.slow
def test_pipeline_recovers_the_true_two_year_rates():
    c = config.load(simulation={"n_patients": 4000, "n_sites": 10})
    trial = simulate_trial(c["simulation"], seed=2024)
    adam = derive_all(trial, c, latest_date(trial))
    adsl, adtte = adam["adsl"], adam["adtte"]
    rates = efficacy.rates(adtte, adsl, {"2y": c["horizon_days"]}, 400, 1, 0.05)
    truth = true_values(c["simulation"])
    for key, true_key in RATE_TRUTHS.items():
        row = rates[rates["key"] == key].iloc[0]
        assert row["lower95"] < truth[true_key] < row["upper95"], (key, row, truth[true_key])
        # and tightly: within 2.58 standard errors read off the 95% interval
        se = (row["upper95"] - row["lower95"]) / (2 * 1.96)
        assert abs(row["estimate"] - truth[true_key]) < 2.58 * se, key
        assert se < 0.012, (key, se)  # the CI is narrow enough for the check to mean something
