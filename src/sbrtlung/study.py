"""The study's settings that many stages share, each with one owner.

`Study.from_config` builds them once from the validated configuration:

- the horizon of the primary endpoint (`Horizon`): its days, months and years, the words the
  reader sees ("2 years", "24 months", "2-year") and the fixed key suffix of the results'
  names ("2y": `lcr_2y` keeps its name whatever the horizon, reviewers' scripts read it);
- the unit conversions of reported times (days per month and per year).

The study period (`StudyPeriod`: the data cut and the study start, each with where it came
from) is resolved once, by the validation gate (`sbrtlung.validation.period`), which writes it
to `results/validation/period.json`; ADSL and everything after it read that file
(`StudyPeriod.read`). The built-in synthetic trial's dates (`synthetic_dates`) live here, so
that the gate learns them without importing the simulator.
"""

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sbrtlung.formatter import Kind, number

# The built-in synthetic trial: the first enrollment, and how long before it the first record
# (a screening visit or a baseline sample) may be dated (`sbrtlung.synthetic.simulate`).
SYNTHETIC_START = np.datetime64("2021-01-04", "D")
SYNTHETIC_LEAD_DAYS = 39
SYNTHETIC_MONTH_DAYS = 30.4375
SURGERY_YEARS_BEFORE_START = 20
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _count(value: float) -> str:
    """A count of months or years as the reader sees it: "2", "36", "1.5"."""
    return number(round(value, 1), Kind.NUMBER)


def _plural(count: str, unit: str) -> str:
    return f"{count} {unit}" if count in ("1", "one") else f"{count} {unit}s"


@dataclass(frozen=True)
class Horizon:
    """The time at which the primary endpoint and the 2-year rates are read."""

    days: float
    year_days: float
    month_days: float
    KEY: ClassVar[str] = "2y"  # suffix of the results' names at the horizon (`lcr_2y`)
    YEAR_KEY: ClassVar[str] = "1y"  # suffix of the rates at one year

    @property
    def months(self) -> float:
        return self.days / self.month_days

    @property
    def years(self) -> float:
        return self.days / self.year_days

    @property
    def years_label(self) -> str:
        """ "2 years" (a table's column, a metric's label)."""
        return _plural(_count(self.years), "year")

    @property
    def months_label(self) -> str:
        """ "24 months" (a figure's axis and legend)."""
        return _plural(_count(self.months), "month")

    @property
    def adjective(self) -> str:
        """ "2-year" (a "2-year risk")."""
        return f"{_count(self.years)}-year"

    @property
    def words(self) -> str:
        """ "two years" in running text (a whole number under ten in words)."""
        years = round(self.years, 1)
        if years.is_integer() and years < len(NUMBER_WORDS):
            return _plural(NUMBER_WORDS[int(years)], "year")
        return self.years_label

    @property
    def times(self) -> dict[str, float]:
        """The named times of the rates: one year and the horizon, in days."""
        return {self.YEAR_KEY: self.year_days, self.KEY: self.days}

    @property
    def time_labels(self) -> dict[str, str]:
        """The reader's label of each named time of `times`."""
        return {self.YEAR_KEY: _plural(_count(1.0), "year"), self.KEY: self.years_label}


@dataclass(frozen=True)
class Study:
    """The settings of the study shared by every stage, from the validated configuration."""

    horizon: Horizon
    landmark_days: float

    @property
    def landmark_months(self) -> float:
        return self.landmark_days / self.horizon.month_days

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Study":
        return cls(horizon_of(config), config["landmark_days"])


def horizon_of(config: Mapping[str, Any]) -> Horizon:
    """The horizon of a configuration: its `horizon_days`, `year_days` and `month_days`."""
    return Horizon(config["horizon_days"], config["year_days"], config["month_days"])


HORIZON_KEYS = ("horizon_days", "year_days", "month_days")


def horizon_params(config: Mapping[str, Any]) -> dict[str, float]:
    """The config values a horizon is made of, as a rule's params (`Horizon(**params)`)."""
    return {"days": config["horizon_days"], **{k: config[k] for k in HORIZON_KEYS[1:]}}


@dataclass(frozen=True)
class StudyPeriod:
    """The study start and the data cut, and where each came from (for the report)."""

    start: pd.Timestamp
    start_source: str
    cut: pd.Timestamp
    cut_source: str

    @property
    def earliest_surgery(self) -> pd.Timestamp:
        return self.start - pd.DateOffset(years=SURGERY_YEARS_BEFORE_START)

    def write(self, path: str | Path) -> None:
        """The period as JSON: ISO dates and their sources."""
        record = {
            key: f"{value:%Y-%m-%d}" if isinstance(value, pd.Timestamp) else value
            for key, value in asdict(self).items()
        }
        Path(path).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> "StudyPeriod":
        """The period the gate resolved (`results/validation/period.json`)."""
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        for key in ("start", "cut"):
            record[key] = pd.Timestamp(dt.date.fromisoformat(record[key]))
        return cls(**record)


def synthetic_dates(sim: Mapping[str, Any]) -> tuple[np.datetime64, np.datetime64]:
    """The first and the last day the synthetic trial can date a record: a baseline sample up
    to SYNTHETIC_LEAD_DAYS before the first enrollment (on SYNTHETIC_START), and the data cut,
    accrual + minimum follow-up after SYNTHETIC_START."""
    months = sim["accrual_months"] + sim["min_follow_up_months"]
    first = SYNTHETIC_START - np.timedelta64(SYNTHETIC_LEAD_DAYS, "D")
    return first, SYNTHETIC_START + np.timedelta64(math.floor(months * SYNTHETIC_MONTH_DAYS), "D")
