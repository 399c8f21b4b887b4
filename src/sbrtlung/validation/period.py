"""The study period every date of the exports must fall in, resolved once, here.

The data cut is the config's `data_cut`; when it is not set, the built-in synthetic trial
(`raw_dir` empty) has its simulated cut, and real exports are checked up to the day of the
run, since nothing can be dated in the future. The analysis never depends on the day of the
run: its cut (`analysis_period`) is the configured or simulated cut, else the latest date of
the exports. The gate writes that period to `results/validation/period.json`, which ADSL and
everything after it read (`sbrtlung.study.StudyPeriod.read`).

The study start is the config's `study_start`, else the first day the synthetic trial can
date a record, else DEFAULT_STUDY_START. A surgery precedes the study by design; it may be up
to SURGERY_YEARS_BEFORE_START years before the start.

Config dates are ISO strings; `check` turns a date that is not a calendar day, or a start
after the cut, into one line for the user (the workflow calls it when it starts).
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sbrtlung.study import StudyPeriod, synthetic_dates

DEFAULT_STUDY_START = "2000-01-01"
# The settings of the synthetic trial its dates depend on (`sbrtlung.study.synthetic_dates`).
SYNTHETIC_KEYS = ("accrual_months", "min_follow_up_months")
TODAY_SOURCE = "the day of the run (data_cut is not set)"
LATEST_SOURCE = "the latest date of the exports (data_cut is not set)"


class PeriodError(ValueError):
    """A configured date that is not a calendar day, or a start after the cut."""


def _date(config: Mapping[str, Any], key: str) -> pd.Timestamp | None:
    text = config.get(key)
    if text is None:
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(text)))
    except ValueError:
        raise PeriodError(f"{key}: {text!r} is not a calendar date written YYYY-MM-DD") from None


def _synthetic(config: Mapping[str, Any]) -> bool:
    return not config.get("raw_dir")


def study_period(config: Mapping[str, Any], today: dt.date | None = None) -> StudyPeriod:
    """The start and the cut the gate checks dates against, each with a phrase saying its
    source."""
    synthetic = _synthetic(config)
    cut = _date(config, "data_cut")
    if cut is not None:
        cut_source = "config data_cut"
    elif synthetic:
        cut = pd.Timestamp(synthetic_dates(config["simulation"])[1])
        cut_source = "the synthetic trial's simulated data cut"
    else:
        cut = pd.Timestamp(today or dt.date.today())
        cut_source = TODAY_SOURCE
    start = _date(config, "study_start")
    if start is not None:
        start_source = "config study_start"
    elif synthetic:
        start = pd.Timestamp(synthetic_dates(config["simulation"])[0])
        start_source = "the synthetic trial's first possible record"
    else:
        start = pd.Timestamp(DEFAULT_STUDY_START)
        start_source = "the default (study_start is not set)"
    if start > cut:
        raise PeriodError(
            f"study_start {start:%Y-%m-%d} is after the data cut {cut:%Y-%m-%d} ({cut_source})"
        )
    return StudyPeriod(start, start_source, cut, cut_source)


def latest_date(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    """The latest date in any export: the data cut, as far as the exports can tell."""
    dates = [
        frame[column].max()
        for frame in tables.values()
        for column in frame.select_dtypes("datetime").columns
    ]
    return max(d for d in dates if not pd.isna(d))


def analysis_period(checked: StudyPeriod, tables: Mapping[str, pd.DataFrame]) -> StudyPeriod:
    """The period of the analysis: the checked one, except that a cut taken from the day of
    the run becomes the latest date of the exports, so that no result depends on that day."""
    if checked.cut_source == TODAY_SOURCE:
        return dataclasses.replace(checked, cut=latest_date(tables), cut_source=LATEST_SOURCE)
    return checked


def settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config values the period is resolved from: the dates, raw_dir, and for the
    synthetic trial the settings its dates depend on."""
    out = {key: config.get(key) for key in ("raw_dir", "data_cut", "study_start")}
    if _synthetic(config):
        out["simulation"] = {key: config["simulation"][key] for key in SYNTHETIC_KEYS}
    return out


def check(config: Mapping[str, Any]) -> str | None:
    """The problem with the configured dates as one line, or None when there is none."""
    try:
        study_period(config)
    except PeriodError as error:
        return str(error)
    return None
