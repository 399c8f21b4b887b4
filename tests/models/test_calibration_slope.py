"""SAP 1.2f: calibration slope and O/E ratio on predictions that are the truth."""

import numpy as np
import pandas as pd
import pytest

from sbrtlung.models.calibration_slope import (
    calibration_measures,
    calibration_slope,
    observed_expected,
)


def true_model(seed: int, n: int = 4000):
    """Exponential times with hazard 0.001 exp(lp); follow-up to 1000 days."""
    rng = np.random.default_rng(seed)
    lp = rng.normal(0, 0.8, n)
    latent = rng.exponential(1 / (0.001 * np.exp(lp)))
    time = np.minimum(latent, 1000.0)
    return time, latent <= 1000.0, lp, 1 - np.exp(-0.001 * np.exp(lp) * 730.5)


def test_slope_and_oe_are_one_on_the_truth():
    time, event, lp, risk = true_model(1)
    assert calibration_slope(time, event, lp) == pytest.approx(1.0, abs=0.06)
    assert observed_expected(time, event, risk, 730.5) == pytest.approx(1.0, abs=0.04)
    # predictions twice as extreme: the slope halves; risks overstated: O/E below 1
    assert calibration_slope(time, event, 2 * lp) == pytest.approx(0.5, abs=0.03)
    assert observed_expected(time, event, np.minimum(1.5 * risk, 1), 730.5) < 0.8


def test_summary_over_repeats_and_degenerate_predictors():
    frames = []
    for repeat in (1, 2, 3):
        time, event, lp, risk = true_model(repeat, 500)
        frames.append(
            pd.DataFrame(
                {
                    "endpoint": "PFS",
                    "cohort": "full",
                    "model": "clinical",
                    "repeat": repeat,
                    "time": time,
                    "event": event,
                    "risk_score": lp,
                    "risk_horizon": risk,
                }
            )
        )
    frames.append(frames[0].assign(model="flat", risk_score=0.0))
    out = calibration_measures(pd.concat(frames), 730.5).set_index(["model", "measure"])
    slopes = [
        calibration_slope(f["time"].to_numpy(), f["event"].to_numpy(), f["risk_score"].to_numpy())
        for f in frames[:3]
    ]
    row = out.loc[("clinical", "slope")]
    assert row["mean"] == pytest.approx(np.mean(slopes))
    assert (row["lower"], row["upper"]) == pytest.approx(tuple(np.percentile(slopes, [2.5, 97.5])))
    assert out.loc[("flat", "slope"), "n_repeats"] == 0
    assert np.isnan(out.loc[("flat", "slope"), "mean"])
