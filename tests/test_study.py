"""The study's shared settings: the horizon's words at any horizon, and every text that names
it following the configured one (a 3-year horizon says 3 years and 36 months everywhere)."""

import re

import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.figures import models as model_figures
from sbrtlung.figures.survival import _horizon_title
from sbrtlung.manuscript.variables import quoted_config
from sbrtlung.models import metrics
from sbrtlung.models import tables as model_tables
from sbrtlung.reporting.results_tables import efficacy_table
from sbrtlung.study import Horizon, Study, horizon_of, horizon_params
from sbrtlung.validation.quality import deviations_list
from tests.models.test_tables import calibration
from tests.reporting.test_results_tables import medians, rates

THREE_YEARS = 1095.75
OLD_WORDS = re.compile(r"\b2 years|\b2-year|\b24 months|\btwo years")


@pytest.mark.parametrize(
    ("days", "years", "months", "adjective", "words"),
    [
        (730.5, "2 years", "24 months", "2-year", "two years"),
        (THREE_YEARS, "3 years", "36 months", "3-year", "three years"),
        (365.25, "1 year", "12 months", "1-year", "one year"),
        (547.875, "1.5 years", "18 months", "1.5-year", "1.5 years"),
    ],
)
def test_the_horizon_in_the_readers_words(days, years, months, adjective, words):
    horizon = Horizon(days, 365.25, 30.4375)
    assert (horizon.years_label, horizon.months_label) == (years, months)
    assert (horizon.adjective, horizon.words) == (adjective, words)
    assert horizon.months == pytest.approx(days / 30.4375)
    assert horizon.times == {"1y": 365.25, "2y": days}  # the results keep their names
    assert horizon.time_labels == {"1y": "1 year", "2y": years}


def test_the_study_is_built_from_the_validated_config():
    c = config.load(horizon_days=THREE_YEARS, landmark_days=91)
    study = Study.from_config(c)
    assert study.horizon == horizon_of(c) == Horizon(**horizon_params(c))
    assert study.landmark_months == pytest.approx(91 / 30.4375)


def test_every_text_that_names_the_horizon_follows_it():
    """Tables, metric labels, figure labels, the data-quality summary and the manuscript's
    quoted config at a 3-year horizon: never the default's 2 years or 24 months."""
    c = config.load(horizon_days=THREE_YEARS)
    horizon = horizon_of(c)
    efficacy = efficacy_table(rates(), medians(), horizon).frame
    texts = [
        *efficacy.columns,
        *metrics.labels(horizon).values(),
        *model_tables.metric_short(horizon).values(),
        _horizon_title(horizon),
        *(d.label for d in deviations_list(c["quality"], horizon)),
    ]
    figure = model_figures.calibration_figure(calibration(), horizon)
    texts += [figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()]
    joined = "\n".join(texts)
    assert not OLD_WORDS.search(joined), joined
    assert "3 years, % (95% CI)" in efficacy.columns
    assert "Uno's C (3 years)" in joined and "AUC 3 years" in joined
    assert "At 36 months, % (95% CI)" in joined
    assert "Predicted 3-year risk (out of fold)" in joined
    assert "within 3 years of the first SBRT" in joined
    quoted = quoted_config(c)
    assert quoted["horizon_in_words"] == "three years"
    assert (quoted["horizon_years"]["value"], quoted["horizon_months"]["value"]) == (3.0, 36.0)


def test_the_default_texts_are_unchanged():
    horizon = horizon_of(config.load())
    assert metrics.labels(horizon)["uno_c"] == "Uno's C (2 years)"
    assert _horizon_title(horizon) == "At 24 months, % (95% CI)"
    assert "2 years, % (95% CI)" in efficacy_table(rates(), medians(), horizon).frame
    assert isinstance(efficacy_table(rates(), medians(), horizon).frame, pd.DataFrame)
