"""The analysis cohorts of the prognostic models: predictors and outcome, one row per patient.

Two cohorts per endpoint (PFS, OS), both from the safety set:

- ``full``: every patient, time from the first SBRT start, the clinical covariates and the
  baseline marker values (what is known when SBRT starts).
- ``landmark``: patients still event-free and followed at ``landmark_days``, time from the
  landmark, with in addition the log2 changes from baseline to the end of treatment and to
  one month, each only if sampled by the landmark (`features.markers(known_by_day=...)`).

Every cohort holds all of its candidate predictors; a model picks its columns by group
(`pipeline.MODELS`), so all models of a cohort see the same rows and the same splits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from sksurv.util import Surv

from sbrtlung.markers import features

ENDPOINTS = ("PFS", "OS")
COHORTS = ("full", "landmark")
DYNAMIC_TIMEPOINTS = ("end_of_treatment", "one_month")
# Predictor group -> how its columns enter the model (docs/models.md).
GROUP_SCALES = MappingProxyType(
    {"clinical": "as recorded", "baseline": "log2 value", "dynamics": "log2 change"}
)


@dataclass(frozen=True)
class Cohort:
    """One endpoint's modelling data: predictors (index USUBJID) and outcome, row-aligned."""

    endpoint: str
    name: str
    X: pd.DataFrame
    time: np.ndarray
    event: np.ndarray
    groups: MappingProxyType  # predictor -> group ("clinical", "baseline", "dynamics")

    @property
    def y(self) -> np.ndarray:
        """The outcome as scikit-survival's structured array (event, time)."""
        return Surv.from_arrays(self.event, self.time)

    def columns(self, groups: tuple[str, ...]) -> list[str]:
        """The predictors of the given groups, in the cohort's column order."""
        return [c for c in self.X.columns if self.groups[c] in groups]


def baseline_column(marker: str) -> str:
    return f"{marker}_baseline"


def change_column(marker: str, timepoint: str) -> str:
    return f"{marker}_change_{timepoint}"


def _predictors(
    adsl: pd.DataFrame, adlb: pd.DataFrame, landmark_days: float | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Clinical covariates and baseline markers, plus dynamics when a landmark is given."""
    clinical = features.clinical(adsl)
    baseline = features.markers(adlb, adsl, "baseline")
    parts = [clinical, baseline.rename(columns=baseline_column)]
    groups = dict.fromkeys(clinical.columns, "clinical")
    groups |= dict.fromkeys(parts[1].columns, "baseline")
    if landmark_days is not None:
        for timepoint in DYNAMIC_TIMEPOINTS:
            change = features.markers(adlb, adsl, timepoint, "LOG2CHG", known_by_day=landmark_days)
            change = change.rename(columns=lambda m, tp=timepoint: change_column(m, tp))
            parts.append(change)
            groups |= dict.fromkeys(change.columns, "dynamics")
    return pd.concat(parts, axis=1), groups


def cohort(
    adsl: pd.DataFrame,
    adtte: pd.DataFrame,
    adlb: pd.DataFrame,
    endpoint: str,
    name: str,
    landmark_days: float,
) -> Cohort:
    """The ``full`` or ``landmark`` cohort of one endpoint (see the module docstring)."""
    if name not in COHORTS:
        raise ValueError(f"unknown cohort {name!r}")
    outcome = features.outcome(adtte, endpoint)
    at_landmark = name == "landmark"
    if at_landmark:
        outcome = features.landmark(outcome, landmark_days)
    X, groups = _predictors(adsl, adlb, landmark_days if at_landmark else None)
    X = X.reindex(outcome.index)
    return Cohort(
        endpoint=endpoint,
        name=name,
        X=X,
        time=outcome["time"].to_numpy(dtype=float),
        event=outcome["event"].to_numpy(dtype=bool),
        groups=MappingProxyType(groups),
    )


def cohorts(
    adsl: pd.DataFrame, adtte: pd.DataFrame, adlb: pd.DataFrame, landmark_days: float
) -> list[Cohort]:
    """Every cohort of the models stage, endpoint by endpoint (PFS first)."""
    return [
        cohort(adsl, adtte, adlb, endpoint, name, landmark_days)
        for endpoint in ENDPOINTS
        for name in COHORTS
    ]


def read_cohorts(paths: Mapping[str, str | Path], landmark_days: float) -> list[Cohort]:
    """The `cohorts` of the ADaM files `paths` names (adsl, adtte, adlb): what every rule of
    the models stage reads."""
    adam = {name: pd.read_parquet(paths[name]) for name in ("adsl", "adtte", "adlb")}
    return cohorts(adam["adsl"], adam["adtte"], adam["adlb"], landmark_days)
