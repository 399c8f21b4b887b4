"""The study period the gate checks dates against, and the config dates it comes from."""

import datetime as dt

import jsonschema
import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.study import StudyPeriod, synthetic_dates
from sbrtlung.synthetic.simulate import STUDY_START, simulate_trial
from sbrtlung.validation.period import (
    LATEST_SOURCE,
    analysis_period,
    check,
    latest_date,
    settings,
    study_period,
)

TODAY = dt.date(2030, 5, 17)


def test_synthetic_trial_uses_its_simulated_dates():
    c = config.load()
    start, cut = synthetic_dates(c["simulation"])
    period = study_period(c, today=TODAY)
    assert period.cut == pd.Timestamp(cut)
    assert analysis_period(period, {}) == period
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
    assert analysis_period(period, {}) == period


def test_real_exports_without_a_cut_are_bounded_by_the_run_day_but_never_analysed_so():
    c = config.load(raw_dir="/data/exports")
    period = study_period(c, today=TODAY)
    assert period.cut == pd.Timestamp(TODAY) and "day of the run" in period.cut_source
    assert period.start == pd.Timestamp("2000-01-01") and "default" in period.start_source
    # The analysis never depends on the day of the run: its cut is the exports' latest date.
    tables = simulate_trial(c["simulation"], 3)
    analysed = analysis_period(period, tables)
    assert analysed.cut == latest_date(tables) < pd.Timestamp(TODAY)
    assert analysed.cut_source == LATEST_SOURCE and analysed.start == period.start


def test_the_synthetic_trial_dates_nothing_outside_its_period():
    c = config.load()
    tables = simulate_trial(c["simulation"], 3)
    start, cut = (pd.Timestamp(day) for day in synthetic_dates(c["simulation"]))
    dates = [
        frame[column].dropna()
        for stem, frame in tables.items()
        for column in frame.select_dtypes("datetime").columns
        if column != "surgery_date"
    ]
    assert start <= min(d.min() for d in dates) and max(d.max() for d in dates) <= cut


def test_the_period_round_trips_through_its_file(tmp_path):
    period = study_period(config.load(data_cut="2024-06-30", study_start="2019-01-01"))
    period.write(tmp_path / "period.json")
    assert StudyPeriod.read(tmp_path / "period.json") == period
    assert '"cut": "2024-06-30"' in (tmp_path / "period.json").read_text()


def test_the_gate_reads_only_the_settings_the_period_depends_on():
    synthetic = settings(config.load())
    assert set(synthetic) == {"raw_dir", "data_cut", "study_start", "simulation"}
    assert set(synthetic["simulation"]) == {"accrual_months", "min_follow_up_months"}
    assert "simulation" not in settings(config.load(raw_dir="/data/exports"))


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
