"""SAP amendment 1.2e: prespecified subgroups of the primary endpoint (exploratory).

The factors are declared as data (`FACTORS`): a name, the ADLES variable and how it maps to
levels, the reference level first. Per level: nodules, local failures by the horizon and the
2-year LCR with its IJ 95% CI (1.2a without a failure). Per factor: the cause-specific
hazard ratio of local failure of each other level against the reference, from a Cox model of
LF (safety set, whole follow-up; a competing death censors) with that factor alone and a
patient-cluster robust variance (`analysis.cox`), its 95% CI and Wald p. No multiplicity
adjustment.

Choices where the plan is silent: the reference is the level expected to do better (BED10
>= 100 Gy, peripheral, pure ground-glass, <= 20 mm, pathological, adenocarcinoma), so the
hazard ratios read as the excess risk of the other levels; a factor with a level without
any local failure (or without nodules) has no hazard ratio (the partial likelihood has no
maximum), its rates are still given.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbrtlung.analysis.cox import cox_fit
from sbrtlung.analysis.efficacy import endpoint_data
from sbrtlung.analysis.lcr_summary import lcr_summary


@dataclass(frozen=True)
class Factor:
    """A subgroup factor: `levels` in order, reference first; `level` maps ADLES rows to them."""

    name: str
    label: str
    levels: tuple[str, ...]
    level: Callable[[pd.DataFrame], pd.Series]


def _cut(values: pd.Series, bins: list[float], labels: tuple[str, ...], right: bool) -> pd.Series:
    return pd.cut(values.astype(float), bins, labels=list(labels), right=right).astype(object)


FACTORS: tuple[Factor, ...] = (
    Factor(
        "bed10",
        "BED10 (delivered)",
        ("≥100 Gy", "<100 Gy"),
        lambda f: pd.Series(np.where(f["BED10"] >= 100, "≥100 Gy", "<100 Gy"), index=f.index),
    ),
    Factor(
        "location",
        "Location",
        ("peripheral", "central"),
        lambda f: f["LOCATION"].astype(object),
    ),
    Factor(
        "consolidation",
        "Consolidation ratio",
        ("pure ground-glass (0)", "part-solid (>0–0.5)", "solid (>0.5)"),
        lambda f: _cut(
            f["CONSRAT"],
            [-np.inf, 0, 0.5, np.inf],
            ("pure ground-glass (0)", "part-solid (>0–0.5)", "solid (>0.5)"),
            right=True,
        ),
    ),
    Factor(
        "diameter",
        "Diameter",
        ("≤20 mm", ">20 mm"),
        lambda f: pd.Series(np.where(f["DIAMMM"] <= 20, "≤20 mm", ">20 mm"), index=f.index),
    ),
    Factor("diagnosis", "Diagnosis", ("pathological", "clinical"), lambda f: f["DIAGNOSIS"]),
    Factor(
        "histology",
        "Nodule histology",
        ("adenocarcinoma", "other"),
        lambda f: pd.Series(
            np.where(f["LESHIST"] == "adenocarcinoma", "adenocarcinoma", "other"), index=f.index
        ),
    ),
)
COLUMNS = (
    "factor",
    "level",
    "nodules",
    "failures",
    "estimate",
    "ci95_low",
    "ci95_high",
    "hr",
    "hr_ci95_low",
    "hr_ci95_high",
    "p",
)


def factor_hazard_ratios(
    time: np.ndarray, status: np.ndarray, patient: np.ndarray, level: np.ndarray, levels
) -> dict[str, tuple[float, float, float, float]]:
    """Per non-reference level: (HR, 95% lower, 95% upper, Wald p) of the cause-specific Cox
    model with the factor's indicators; NaN when a level has no nodule or no failure."""
    event = status == 1
    others = levels[1:]
    if any(not event[level == value].any() for value in levels):
        return {value: (np.nan,) * 4 for value in others}
    x = np.column_stack([(level == value).astype(float) for value in others])
    fit = cox_fit(time, event, x, patient)
    low, high = fit.ci95
    return {
        value: (float(fit.hr[k]), float(low[k]), float(high[k]), float(fit.p[k]))
        for k, value in enumerate(others)
    }


def subgroups(
    adtte: pd.DataFrame, adsl: pd.DataFrame, adles: pd.DataFrame, horizon: float
) -> pd.DataFrame:
    """One row per factor and level, in the order of `FACTORS`; the HR columns are empty on
    the reference level."""
    lf = endpoint_data(adtte, adsl, "LF", "SAF")
    lf = lf.merge(adles, on=["USUBJID", "LESID"], how="left", validate="one_to_one")
    time = lf["AVAL"].to_numpy(float)
    status = lf["EVNT"].to_numpy(int)
    patient = lf["USUBJID"].to_numpy(str)
    records = []
    for factor in FACTORS:
        level = factor.level(lf).to_numpy(object)
        unknown = set(level) - set(factor.levels)
        if unknown:
            raise ValueError(f"subgroup {factor.name}: values without a level: {sorted(unknown)}")
        ratios = factor_hazard_ratios(time, status, patient, level, factor.levels)
        for value in factor.levels:
            chosen = level == value
            summary = lcr_summary(time[chosen], status[chosen], patient[chosen], horizon, 0.95)
            hr = dict(
                zip(
                    ("hr", "hr_ci95_low", "hr_ci95_high", "p"),
                    ratios.get(value, (np.nan,) * 4),
                    strict=True,
                )
            )
            records.append({"factor": factor.name, "level": value} | summary | hr)
    return pd.DataFrame(records)[list(COLUMNS)]
