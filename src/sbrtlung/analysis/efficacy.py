"""Efficacy estimates of SAP 4: named 1- and 2-year rates, medians and the primary decision.

The rates are declared as data (`RATES`): which endpoint, estimator, population, whether the
reported quantity is the complement (local control = 1 - CIF of local failure), and how its
CI is made. The primary local control rate and its EFF and PP sensitivity rows use the
patient-cluster infinitesimal-jackknife variance on the log(-log) scale (SAP amendment 1.1;
without a failure by the time, or with V = 0, the exact limits of amendment 1.2a);
the same rate with the percentile patient-cluster bootstrap CI is kept as a sensitivity
analysis; the other CIFs and lesion-level estimates are bootstrapped; patient-level
Kaplan-Meier rates get log(-log) Greenwood CIs. Every rate has a 95% CI and a CI at the
decision level 1 - 2 alpha (`decision_level`). A rate at a time beyond the last follow-up
(nobody followed that long, `estimators.estimable_at`) is not estimable and reported as
missing rather than carried forward.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sbrtlung.adam.endpoints import BY_PARAMCD
from sbrtlung.analysis.bootstrap import cluster_bootstrap
from sbrtlung.analysis.estimators import (
    cluster_ij_interval,
    estimable_at,
    kaplan_meier,
    km_median,
    median_follow_up,
    survival_at,
)
from sbrtlung.study import Horizon

Population = Literal["SAF", "EFF", "PP"]
CiMethod = Literal["cluster_ij", "percentile_bootstrap", "greenwood"]

CI_METHODS: dict[str, str] = {
    "cluster_ij": "patient-cluster infinitesimal jackknife, log(−log)",
    "percentile_bootstrap": "patient-cluster percentile bootstrap",
    "greenwood": "log(−log) Greenwood",
}


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    paramcd: str
    estimator: Literal["cif", "km"]
    ci: CiMethod
    population: Population = "SAF"
    complement: bool = False

    def __post_init__(self) -> None:
        if self.ci == "cluster_ij" and not (self.estimator == "cif" and self.complement):
            raise ValueError(f"{self.key}: the IJ interval is defined for 1 - CIF only")
        if self.ci == "greenwood" and self.estimator != "km":
            raise ValueError(f"{self.key}: Greenwood CIs are for Kaplan-Meier rates")


RATES: tuple[Rate, ...] = (
    Rate(
        "lcr",
        "Local control per nodule (1 − CIF), primary",
        "LF",
        "cif",
        "cluster_ij",
        complement=True,
    ),
    Rate(
        "lcr_bootstrap",
        "Local control per nodule (1 − CIF), bootstrap CI",
        "LF",
        "cif",
        "percentile_bootstrap",
        complement=True,
    ),
    Rate("lcr_km", "Local control per nodule, Kaplan-Meier", "LF", "km", "percentile_bootstrap"),
    Rate(
        "lcr_patient",
        "Local control per patient (1 − CIF)",
        "LFPT",
        "cif",
        "percentile_bootstrap",
        complement=True,
    ),
    Rate(
        "lcr_eff",
        "Local control per nodule (1 − CIF), efficacy set",
        "LF",
        "cif",
        "cluster_ij",
        "EFF",
        True,
    ),
    Rate(
        "lcr_pp",
        "Local control per nodule (1 − CIF), per-protocol set",
        "LF",
        "cif",
        "cluster_ij",
        "PP",
        True,
    ),
    Rate(
        "local_recurrence",
        "Local recurrence per patient (CIF)",
        "LFPT",
        "cif",
        "percentile_bootstrap",
    ),
    Rate("regional_recurrence", "Regional recurrence (CIF)", "RR", "cif", "percentile_bootstrap"),
    Rate("distant_metastasis", "Distant metastasis (CIF)", "DM", "cif", "percentile_bootstrap"),
    Rate("pfs", "Progression-free survival (Kaplan-Meier)", "PFS", "km", "greenwood"),
    Rate("os", "Overall survival (Kaplan-Meier)", "OS", "km", "greenwood"),
)

FLAGS = {"SAF": "SAFFL", "EFF": "EFFFL", "PP": "PPFL"}
LIMITS = ("estimate", "lower95", "upper95", "lower_decision", "upper_decision")


def decision_level(alpha_one_sided: float) -> float:
    """The two-sided level whose lower limit tests H0 at one-sided alpha: 1 - 2 alpha."""
    if not 0 < alpha_one_sided < 0.5:
        raise ValueError("alpha_one_sided must lie strictly between 0 and 0.5")
    return 1 - 2 * alpha_one_sided


@dataclass(frozen=True)
class EventTimes:
    """One endpoint's units as the estimators take them: AVAL, EVNT (0 censored, 1 event,
    2 competing event) and the patient of each unit, the cluster of the bootstrap and of the
    IJ variance."""

    time: np.ndarray
    status: np.ndarray
    patient: np.ndarray

    @property
    def event(self) -> np.ndarray:
        return self.status == 1


def unit_order(rows: pd.DataFrame) -> pd.DataFrame:
    """ADTTE rows in the stable order of every analysis, patient then lesion: the bootstrap
    resamples the patients in sorted order, so the same data give the same draws."""
    return rows.sort_values(["USUBJID", "LESID"], kind="stable", na_position="first")


def endpoint_data(adtte: pd.DataFrame, adsl: pd.DataFrame, paramcd: str, population: str):
    """The ADTTE rows of one endpoint restricted to a population, in `unit_order`."""
    members = adsl.loc[adsl[FLAGS[population]], "USUBJID"]
    return unit_order(adtte[(adtte["PARAMCD"] == paramcd) & adtte["USUBJID"].isin(members)])


def event_times(rows: pd.DataFrame) -> EventTimes:
    """The `EventTimes` of ADTTE rows, in their order."""
    return EventTimes(
        rows["AVAL"].to_numpy(dtype=float),
        rows["EVNT"].to_numpy(dtype=int),
        rows["USUBJID"].to_numpy(dtype=str),
    )


def _estimate(
    rate: Rate,
    time: np.ndarray,
    status: np.ndarray,
    cluster: np.ndarray,
    at: np.ndarray,
    reps: int,
    seed: int,
    level: float,
) -> dict[str, np.ndarray]:
    """Estimate, 95% and decision-level limits at each time of `at`."""
    if rate.ci == "cluster_ij":
        ci95 = cluster_ij_interval(time, status, cluster, at, 0.95)
        decision = cluster_ij_interval(time, status, cluster, at, level)
        return dict(zip(LIMITS, (*ci95, decision.lower, decision.upper), strict=True))
    if rate.ci == "percentile_bootstrap":
        boot = cluster_bootstrap(
            time, status, cluster, at, seed=seed, estimator=rate.estimator, reps=reps
        )
        out = dict(zip(LIMITS, (boot.estimate, *boot.ci(0.95), *boot.ci(level)), strict=True))
    else:
        curve = kaplan_meier(time, status == 1)
        ci95, decision = survival_at(curve, at, 0.95), survival_at(curve, at, level)
        out = dict(zip(LIMITS, (*ci95, decision.lower, decision.upper), strict=True))
    if rate.complement:
        out = {
            "estimate": 1 - out["estimate"],
            "lower95": 1 - out["upper95"],
            "upper95": 1 - out["lower95"],
            "lower_decision": 1 - out["upper_decision"],
            "upper_decision": 1 - out["lower_decision"],
        }
    return out


def rate_rows(
    rate: Rate,
    time: np.ndarray,
    status: np.ndarray,
    cluster: np.ndarray,
    times: dict[str, float],
    reps: int,
    seed: int,
    level: float,
) -> list[dict]:
    """One rate at every named time, from its units' AVAL, EVNT and patient (one row each).

    `cluster` labels the patient of each unit; the bootstrap resamples `np.unique(cluster)`
    in sorted order, so the rows must come in a stable order (`endpoint_data`).
    """
    at = np.array(list(times.values()), dtype=float)
    values = _estimate(rate, time, status, cluster, at, reps, seed, level)
    head = {
        "key": rate.key,
        "label": rate.label,
        "paramcd": rate.paramcd,
        "population": rate.population,
        "estimator": rate.estimator,
    }
    counts = {
        "n_units": len(time),
        "n_patients": len(np.unique(cluster)),
        "n_events": int((status == 1).sum()),
        "n_competing": int((status == 2).sum()),
    }
    rows = []
    for i, (name, t) in enumerate(times.items()):
        estimable = estimable_at(time, t)
        row = head | {"time": name, "time_days": t} | counts
        row |= {
            "n_events_by_time": int(((status == 1) & (time <= t)).sum()),
            "n_at_risk": int((time >= t).sum()),
        }
        row |= {field: float(values[field][i]) if estimable else np.nan for field in LIMITS}
        rows.append(row | {"decision_level": level, "ci_method": CI_METHODS[rate.ci]})
    return rows


def rates(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame,
    times: dict[str, float],
    reps: int,
    seed: int,
    alpha_one_sided: float,
) -> pd.DataFrame:
    """Every rate of `RATES` at every named time (e.g. {"1y": 365.25, "2y": 730.5})."""
    level = decision_level(alpha_one_sided)
    records = []
    for rate in RATES:
        data = event_times(endpoint_data(adtte, adsl, rate.paramcd, rate.population))
        records += rate_rows(rate, data.time, data.status, data.patient, times, reps, seed, level)
    return pd.DataFrame(records)


def medians(adtte: pd.DataFrame, adsl: pd.DataFrame, month_days: float) -> pd.DataFrame:
    """Median PFS and OS (Kaplan-Meier) and median follow-up (reverse Kaplan-Meier of OS)."""
    records = []
    for key, paramcd in (("pfs", "PFS"), ("os", "OS")):
        rows = endpoint_data(adtte, adsl, paramcd, "SAF")
        fit = km_median(kaplan_meier(rows["AVAL"].to_numpy(float), rows["CNSR"].to_numpy() == 0))
        records.append((key, "Kaplan-Meier", *fit))
    rows = endpoint_data(adtte, adsl, "OS", "SAF")
    follow = median_follow_up(rows["AVAL"].to_numpy(float), (rows["EVNT"] == 1).to_numpy(int))
    records.append(("follow_up", "reverse Kaplan-Meier", *follow))
    out = pd.DataFrame(records, columns=["key", "method", "days", "lower95_days", "upper95_days"])
    for column in ("days", "lower95_days", "upper95_days"):
        out[column.replace("days", "months")] = out[column] / month_days
    return out


def rejects(lower: float, null: float) -> bool:
    """The decision rule: the lower limit exceeds H0 (a missing limit never does)."""
    return bool(lower > null)


def decision(rates_table: pd.DataFrame, key: str, horizon: str, null: float) -> dict:
    """One decision rule: success when the lower decision-level limit of the rate exceeds H0.

    A limit that is not estimable (nobody followed to the horizon) is no success.
    """
    row = rates_table[(rates_table["key"] == key) & (rates_table["time"] == horizon)].iloc[0]
    return {
        "estimate": row["estimate"],
        "lower": row["lower_decision"],
        "upper": row["upper_decision"],
        "level": row["decision_level"],
        "ci_method": row["ci_method"],
        "success": rejects(row["lower_decision"], null),
    }


# The primary rule (SAP 4, amendment 1.1) and the percentile bootstrap rule it replaced.
DECISION_RULES = {"cluster_ij": "lcr", "percentile_bootstrap": "lcr_bootstrap"}
PRIMARY_RULE = "cluster_ij"


def primary_decision(rates_table: pd.DataFrame, horizon: str, null: float) -> dict:
    """SAP 4: the 2-year LCR's lower 1 - 2 alpha limit against H0, by each rule.

    `success` is the primary rule's; `rules` holds both rules' intervals and decisions.
    """
    rules = {
        rule: decision(rates_table, key, horizon, null) for rule, key in DECISION_RULES.items()
    }
    return {
        "null": null,
        "rule": PRIMARY_RULE,
        "success": rules[PRIMARY_RULE]["success"],
        "rules": rules,
    }


def failure_pattern(adtte: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """First failure site(s) per SAF patient: local, regional, distant; same day = together."""
    saf = adsl.loc[adsl["SAFFL"], "USUBJID"]
    sites = {code: BY_PARAMCD[code].site for code in ("LFPT", "RR", "DM")}
    events = adtte[adtte["PARAMCD"].isin(list(sites)) & (adtte["EVNT"] == 1)]
    first = events.groupby("USUBJID")["AVAL"].transform("min")
    firsts = events[events["AVAL"] == first].assign(SITE=lambda f: f["PARAMCD"].map(sites))
    order = {site: i for i, site in enumerate(sites.values())}
    pattern = firsts.groupby("USUBJID")["SITE"].agg(
        lambda s: " + ".join(sorted(s, key=order.__getitem__))
    )
    per_patient = saf.map(pattern).fillna("no failure")
    categories = [
        "local",
        "regional",
        "distant",
        "local + regional",
        "local + distant",
        "regional + distant",
        "local + regional + distant",
        "no failure",
    ]
    counts = per_patient.value_counts().reindex(categories, fill_value=0)
    n_failed = int((per_patient != "no failure").sum())
    return pd.DataFrame(
        {
            "first_failure": categories,
            "n": counts.to_numpy(),
            "N": len(saf),
            "n_failed": n_failed,
        }
    )


@dataclass(frozen=True)
class EfficacyResults:
    """What the efficacy rule writes: the rates, the medians, the primary decision and the
    pattern of first failure."""

    rates: pd.DataFrame
    medians: pd.DataFrame
    primary: dict
    pattern: pd.DataFrame


def analyse(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame,
    *,
    horizon: Horizon,
    reps: int,
    seed: int,
    lcr_null: float,
    alpha_one_sided: float,
) -> EfficacyResults:
    """Every efficacy result of SAP 4: the rates at one year and at the horizon, where the
    primary decision is taken."""
    table = rates(adtte, adsl, horizon.times, reps, seed, alpha_one_sided)
    return EfficacyResults(
        table,
        medians(adtte, adsl, horizon.month_days),
        primary_decision(table, Horizon.KEY, lcr_null),
        failure_pattern(adtte, adsl),
    )
