"""Efficacy estimates of SAP 4: named 1- and 2-year rates, medians and the primary decision.

The rates are declared as data (`RATES`): which endpoint, estimator, population, and whether
the reported quantity is the complement (local control = 1 - CIF of local failure). CIFs
and every lesion-level estimate get percentile patient-cluster bootstrap CIs; patient-level
Kaplan-Meier rates get log(-log) Greenwood CIs. A rate at a time beyond the last follow-up
(nobody left at risk) is not estimable and reported as missing rather than carried forward.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sbrtlung.bootstrap import cluster_bootstrap
from sbrtlung.estimators import kaplan_meier, km_median, median_follow_up, survival_at

Population = Literal["SAF", "EFF", "PP"]


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    paramcd: str
    estimator: Literal["cif", "km"]
    population: Population = "SAF"
    complement: bool = False

    @property
    def bootstrap(self) -> bool:
        """SAP 4: CIFs and lesion-level estimates are bootstrapped, by patient."""
        return self.estimator == "cif" or self.paramcd == "LF"


RATES: tuple[Rate, ...] = (
    Rate("lcr", "Local control per lesion (1 - CIF), primary", "LF", "cif", complement=True),
    Rate("lcr_km", "Local control per lesion, Kaplan-Meier", "LF", "km"),
    Rate("lcr_patient", "Local control per patient (1 - CIF)", "LFPT", "cif", complement=True),
    Rate("lcr_eff", "Local control per lesion (1 - CIF), efficacy set", "LF", "cif", "EFF", True),
    Rate("lcr_pp", "Local control per lesion (1 - CIF), per-protocol set", "LF", "cif", "PP", True),
    Rate("local_recurrence", "Local recurrence per patient (CIF)", "LFPT", "cif"),
    Rate("regional_recurrence", "Regional recurrence (CIF)", "RR", "cif"),
    Rate("distant_metastasis", "Distant metastasis (CIF)", "DM", "cif"),
    Rate("pfs", "Progression-free survival (Kaplan-Meier)", "PFS", "km"),
    Rate("os", "Overall survival (Kaplan-Meier)", "OS", "km"),
)

FLAGS = {"SAF": "SAFFL", "EFF": "EFFFL", "PP": "PPFL"}


def endpoint_data(adtte: pd.DataFrame, adsl: pd.DataFrame, paramcd: str, population: str):
    """The ADTTE rows of one endpoint restricted to a population, in a stable order."""
    members = adsl.loc[adsl[FLAGS[population]], "USUBJID"]
    rows = adtte[(adtte["PARAMCD"] == paramcd) & adtte["USUBJID"].isin(members)]
    return rows.sort_values(["USUBJID", "LESID"], kind="stable", na_position="first")


def _estimate(rate: Rate, rows: pd.DataFrame, at: np.ndarray, reps: int, seed: int) -> dict:
    time = rows["AVAL"].to_numpy(dtype=float)
    if rate.bootstrap:
        status = rows["EVNT"].to_numpy()
        boot = cluster_bootstrap(
            time,
            status,
            rows["USUBJID"].to_numpy(),
            at,
            seed=seed,
            estimator=rate.estimator,
            reps=reps,
        )
        lo95, hi95 = boot.ci(0.95)
        lo90, hi90 = boot.ci(0.90)
        out = {"estimate": boot.estimate, "lower95": lo95, "upper95": hi95}
        out |= {"lower90": lo90, "upper90": hi90, "ci_method": "patient-cluster bootstrap"}
    else:
        fit = survival_at(kaplan_meier(time, rows["CNSR"].to_numpy() == 0), at, 0.95)
        out = {"estimate": fit.estimate, "lower95": fit.lower, "upper95": fit.upper}
        nan = np.full(at.shape, np.nan)
        out |= {"lower90": nan, "upper90": nan, "ci_method": "log(-log) Greenwood"}
    if rate.estimator == "cif" and rate.complement:
        out |= {
            "estimate": 1 - out["estimate"],
            "lower95": 1 - out["upper95"],
            "upper95": 1 - out["lower95"],
            "lower90": 1 - out["upper90"],
            "upper90": 1 - out["lower90"],
        }
    return out


def rates(
    adtte: pd.DataFrame, adsl: pd.DataFrame, times: dict[str, float], reps: int, seed: int
) -> pd.DataFrame:
    """Every rate of `RATES` at every named time (e.g. {"1y": 365.25, "2y": 730.5})."""
    at = np.array(list(times.values()), dtype=float)
    records = []
    for rate in RATES:
        rows = endpoint_data(adtte, adsl, rate.paramcd, rate.population)
        values = _estimate(rate, rows, at, reps, seed)
        aval = rows["AVAL"].to_numpy()
        for i, (name, t) in enumerate(times.items()):
            estimable = bool((aval >= t).any())
            record = {
                "key": rate.key,
                "label": rate.label,
                "paramcd": rate.paramcd,
                "population": rate.population,
                "estimator": rate.estimator,
                "time": name,
                "time_days": t,
                "n_units": len(rows),
                "n_patients": rows["USUBJID"].nunique(),
                "n_events": int((rows["EVNT"] == 1).sum()),
                "n_competing": int((rows["EVNT"] == 2).sum()),
                "n_events_by_time": int(((rows["EVNT"] == 1) & (aval <= t)).sum()),
                "n_at_risk": int((aval >= t).sum()),
            }
            for field in ("estimate", "lower95", "upper95", "lower90", "upper90"):
                record[field] = float(values[field][i]) if estimable else np.nan
            record["ci_method"] = values["ci_method"]
            records.append(record)
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


def primary_decision(rates_table: pd.DataFrame, horizon: str, null: float) -> dict:
    """SAP 4: success when the lower limit of the two-sided 90% CI of the 2-year LCR > H0."""
    row = rates_table[(rates_table["key"] == "lcr") & (rates_table["time"] == horizon)].iloc[0]
    return {
        "null": null,
        "estimate": row["estimate"],
        "lower90": row["lower90"],
        "upper90": row["upper90"],
        "success": bool(row["lower90"] > null),
    }


def failure_pattern(adtte: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """First failure site(s) per SAF patient: local, regional, distant; same day = together."""
    saf = adsl.loc[adsl["SAFFL"], "USUBJID"]
    sites = {"LFPT": "local", "RR": "regional", "DM": "distant"}
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
