"""Large synthetic trials: the marker model beats the clinical model when, and only when, the
markers carry prognosis (paired gain over identical splits, PFS, all patients)."""

import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.models import cv, data, summary
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date

PATIENTS = 2000
REPEATS = 3
DISCRIMINATION = ("harrell_c", "uno_c", "auc_1y", "auc_2y")


def pfs_gain(marker_log_hr: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    """Gain of clinical + markers over clinical: metric -> (mean, lower, upper)."""
    c = config.load(simulation={"n_patients": PATIENTS, "marker_log_hr": marker_log_hr})
    trial = simulate_trial(c["simulation"], c["seed"])
    adam = derive_all(trial, c, latest_date(trial))
    cohort = data.cohort(
        adam["adsl"], adam["adtte"], adam["adlb"], "PFS", "full", c["landmark_days"]
    )
    results = [
        cv.run_repeat(
            [cohort],
            repeat,
            folds=c["cv_folds"],
            seed=c["seed"],
            year_days=c["year_days"],
            horizon_days=c["horizon_days"],
        ).metrics
        for repeat in range(1, REPEATS + 1)
    ]
    gains = summary.gains(pd.concat(results, ignore_index=True))
    gains = gains[gains["reference"] == "clinical"].set_index("metric")
    return {m: tuple(gains.loc[m, ["mean", "lower", "upper"]]) for m in gains.index}


@pytest.mark.slow
def test_strong_marker_effect_gives_a_positive_gain():
    gain = pfs_gain({"nlr_death": 0.8, "nlr_progression": 0.8})
    for metric in DISCRIMINATION:
        assert gain[metric][1] > 0, metric  # the whole interval above 0
    assert gain["ibs"][2] < 0  # a lower (better) Brier score


@pytest.mark.slow
def test_no_marker_effect_gives_no_gain():
    null = dict.fromkeys(("nlr_death", "nlr_progression", "crp_death", "crp_progression"), 0.0)
    gain = pfs_gain(null)
    for metric in DISCRIMINATION:
        assert gain[metric][1] <= 0, metric  # covers 0 or lies below it
    assert gain["ibs"][2] >= 0
