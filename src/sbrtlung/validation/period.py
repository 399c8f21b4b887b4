"""The study period every date of the exports must fall in: from the study start to the data cut.

The data cut is the config's `data_cut`; when it is not set, the built-in synthetic trial
(`raw_dir` empty) has its simulated cut, and real exports are bounded by the day of the run,
since nothing can be dated in the future. The analysis never depends on the day of the run:
`analysis_cut` is the configured or simulated cut, or none, and then the derivation takes the
latest date of the exports (`sbrtlung.adam.adsl`).

The study start is the config's `study_start`, else the first day the synthetic trial can
date a record, else DEFAULT_STUDY_START. A surgery precedes the study by design; it may be up
to SURGERY_YEARS_BEFORE_START years before the start.

Config dates are ISO strings; `check` turns a date that is not a calendar day, or a start
after the cut, into one line for the user (the workflow calls it when it starts).
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sbrtlung.synthetic.simulate import study_dates

DEFAULT_STUDY_START = "2000-01-01"
SURGERY_YEARS_BEFORE_START = 20


class PeriodError(ValueError):
    """A configured date that is not a calendar day, or a start after the cut."""


@dataclass(frozen=True)
class StudyPeriod:
    """The bounds the gate checks dates against, and where each came from (for the report)."""

    start: pd.Timestamp
    start_source: str
    cut: pd.Timestamp
    cut_source: str

    @property
    def earliest_surgery(self) -> pd.Timestamp:
        return self.start - pd.DateOffset(years=SURGERY_YEARS_BEFORE_START)


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


def analysis_cut(config: Mapping[str, Any]) -> pd.Timestamp | None:
    """The configured data cut, else the synthetic trial's simulated one, else None."""
    cut = _date(config, "data_cut")
    if cut is None and _synthetic(config):
        cut = pd.Timestamp(study_dates(config["simulation"])[1])
    return cut


def study_period(config: Mapping[str, Any], today: dt.date | None = None) -> StudyPeriod:
    """The start and the cut of the configured study, each with a phrase saying its source."""
    synthetic = _synthetic(config)
    cut = analysis_cut(config)
    if config.get("data_cut") is not None:
        cut_source = "config data_cut"
    elif synthetic:
        cut_source = "the synthetic trial's simulated data cut"
    else:
        cut = pd.Timestamp(today or dt.date.today())
        cut_source = "the day of the run (data_cut is not set)"
    start = _date(config, "study_start")
    if start is not None:
        start_source = "config study_start"
    elif synthetic:
        start = pd.Timestamp(study_dates(config["simulation"])[0])
        start_source = "the synthetic trial's first possible record"
    else:
        start = pd.Timestamp(DEFAULT_STUDY_START)
        start_source = "the default (study_start is not set)"
    if start > cut:
        raise PeriodError(
            f"study_start {start:%Y-%m-%d} is after the data cut {cut:%Y-%m-%d} ({cut_source})"
        )
    return StudyPeriod(start, start_source, cut, cut_source)


def check(config: Mapping[str, Any]) -> str | None:
    """The problem with the configured dates as one line, or None when there is none."""
    try:
        study_period(config)
    except PeriodError as error:
        return str(error)
    return None
