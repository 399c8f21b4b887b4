"""Interim or final (SAP 1.2g): auto follows the follow-up every living treated patient could
have had; a set stage is kept; the synthetic trial at its own cut is final."""

import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.analysis.stage import analysis_stage


def adsl(trtsdy, dcutdy, dead=(False, False)):
    return pd.DataFrame(
        {
            "SAFFL": [True, True, False],
            "DTHFL": [*dead, False],
            "TRTSDY": pd.array([*trtsdy, None], dtype="Int64"),
            "DCUTDY": [*dcutdy, 10],
        }
    )


STUDY = {"raw_dir": "/exports", "data_cut": "2025-01-01"}


@pytest.mark.parametrize(
    "subjects, expected",
    [
        (adsl((10, 5), (741, 800)), "final"),  # 10 + 730.5 <= 741
        (adsl((10, 5), (740, 800)), "interim"),  # one patient half a day short
        (adsl((10, 5), (740, 800), dead=(True, False)), "final"),  # who died has no more to come
    ],
)
def test_auto_is_final_when_every_living_treated_patient_had_the_horizon(subjects, expected):
    assert analysis_stage(config.load(**STUDY), subjects) == expected


def test_a_set_stage_is_kept_and_the_synthetic_trial_at_its_cut_is_final():
    short = adsl((10, 5), (20, 20))
    assert analysis_stage(config.load(**STUDY, analysis_stage="final"), short) == "final"
    assert (
        analysis_stage(config.load(**STUDY, analysis_stage="interim"), adsl((0, 0), (900, 900)))
        == "interim"
    )
    assert analysis_stage(config.load(), short) == "final"
    assert analysis_stage(config.load(data_cut="2025-01-01"), short) == "interim"
