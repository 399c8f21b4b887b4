"""The study period the gate checks dates against, and the config dates it comes from."""

import datetime as dt

import jsonschema
import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.synthetic.simulate import STUDY_START, study_dates
from sbrtlung.validation.period import analysis_cut, check, study_period

TODAY = dt.date(2030, 5, 17)


def test_synthetic_trial_uses_its_simulated_dates():
    c = config.load()
    start, cut = study_dates(c["simulation"])
    period = study_period(c, today=TODAY)
    assert period.cut == pd.Timestamp(cut) == analysis_cut(c)
    assert period.start == pd.Timestamp(start)
    assert "simulated data cut" in period.cut_source
    # accrual 24 + minimum follow-up 24 months after the start; first record 39 days before
    assert (period.cut - pd.Timestamp(STUDY_START)).days == 1461
    assert (pd.Timestamp(STUDY_START) - period.start).days == 39
    assert period.earliest_surgery == period.start - pd.DateOffset(years=20)


def test_configured_dates_win():
    c = config.load(data_cut="2024-06-30", study_start="2019-01-01")
    period = study_period(c, today=TODAY)
    assert (period.start, period.cut) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2024-06-30"))
    assert period.cut_source == "config data_cut" and period.start_source == "config study_start"
    assert analysis_cut(c) == pd.Timestamp("2024-06-30")


def test_real_exports_without_a_cut_are_bounded_by_the_run_day_but_never_analysed_so():
    c = config.load(raw_dir="/data/exports")
    period = study_period(c, today=TODAY)
    assert period.cut == pd.Timestamp(TODAY) and "day of the run" in period.cut_source
    assert period.start == pd.Timestamp("2000-01-01") and "default" in period.start_source
    assert analysis_cut(c) is None  # ADSL takes the latest date of the exports


def test_yaml_dates_are_read_as_iso_text():
    c = config.load(data_cut=dt.date(2024, 6, 30), study_start=dt.date(2020, 1, 6))
    assert (c["data_cut"], c["study_start"]) == ("2024-06-30", "2020-01-06")


@pytest.mark.parametrize("text", ["30/06/2024", "2024-6-30", "20240630"])
def test_schema_refuses_a_date_that_is_not_iso(text):
    with pytest.raises(jsonschema.ValidationError):
        config.load(data_cut=text)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (
            {"data_cut": "2024-02-30"},
            "data_cut: '2024-02-30' is not a calendar date written YYYY-MM-DD",
        ),
        (
            {"study_start": "2021-13-01"},
            "study_start: '2021-13-01' is not a calendar date written YYYY-MM-DD",
        ),
        (
            {"data_cut": "2020-01-01", "study_start": "2021-01-01"},
            "study_start 2021-01-01 is after the data cut 2020-01-01 (config data_cut)",
        ),
    ],
)
def test_a_wrong_config_date_is_one_clear_line(settings, words):
    assert check(config.load(**settings)) == words


def test_good_config_dates_pass():
    assert check(config.load(data_cut="2024-06-30")) is None
