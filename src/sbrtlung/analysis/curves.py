"""The efficacy curves as data: every step, band, censoring mark, value at the horizon and
number at risk that the efficacy figures draw, estimated once, in the efficacy job.

The figures (`sbrtlung.figures.survival`) read this table and draw it; they estimate
nothing, so their values at the horizon are the efficacy table's by construction: the same
job, ADTTE, replicates and seed. One long table, a row per point (`COLUMNS`):

- `aj`: the Aalen-Johansen cumulative incidence (death competing) at its step times, for the
  failure endpoints (LF, LFPT, RR, DM);
- `aj_band` (LF): that incidence and its pointwise 95% patient-cluster infinitesimal-
  jackknife log(-log) limits (SAP amendment 1.1) at every step time and at the horizon;
- `km`: the Kaplan-Meier survival (death censored for LF) at its step times, with its
  pointwise log(-log) Greenwood 95% limits (LF, PFS, OS);
- `censored` (PFS, OS): the Kaplan-Meier survival at each censoring time;
- `horizon_cif`, `horizon_km`: the value at the horizon with its 95% CI as the efficacy table
  gives it (LF: the IJ interval of the incidence and the percentile bootstrap of
  Kaplan-Meier survival; LFPT, RR, DM: the percentile bootstrap of the incidence; PFS, OS:
  Greenwood), all missing when nobody is followed that long (`estimators.estimable_at`);
- `at_risk`: at each distinct time of follow-up, the units still at risk (AVAL >= t).

The table is Parquet, so that every float the figures draw is the one estimated.
"""

import numpy as np
import pandas as pd

from sbrtlung.analysis.bootstrap import cluster_bootstrap
from sbrtlung.analysis.efficacy import EventTimes, event_times, unit_order
from sbrtlung.analysis.estimators import (
    aalen_johansen,
    cif_cluster_variance,
    complement_loglog_ci,
    estimable_at,
    kaplan_meier,
    survival_at,
)
from sbrtlung.study import Horizon

LEVEL = 0.95
COLUMNS = ["paramcd", "curve", "time", "estimate", "lower", "upper"]
FAILURES = ("LFPT", "RR", "DM")  # the pattern of failure, in the figure's order
SURVIVAL = ("PFS", "OS")


def endpoint_times(adtte: pd.DataFrame, paramcd: str) -> EventTimes:
    """Every unit of one PARAMCD (ADTTE holds the safety set only), in the efficacy table's
    order; an absent endpoint is an error, not an empty curve."""
    rows = adtte[adtte["PARAMCD"] == paramcd]
    if rows.empty:
        raise ValueError(f"ADTTE has no {paramcd} rows")
    return event_times(unit_order(rows))


def bootstrap_curve(
    data: EventTimes, at: np.ndarray, reps: int, seed: int, estimator: str = "cif"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate and pointwise 95% percentile patient-cluster bootstrap limits at `at`, of the
    cause-1 CIF (``"cif"``) or of Kaplan-Meier survival with death censored (``"km"``)."""
    boot = cluster_bootstrap(
        data.time, data.status, data.patient, at, seed=seed, estimator=estimator, reps=reps
    )
    lower, upper = boot.ci(LEVEL)
    return boot.estimate, lower, upper


def cluster_ij_curve(data: EventTimes, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CIF of cause 1 and its pointwise 95% limits at `at`: one minus the patient-cluster IJ
    log(-log) interval of the complement, the primary interval of SAP amendment 1.1."""
    cif, variance = cif_cluster_variance(data.time, data.status, data.patient, at)
    complement = complement_loglog_ci(cif, variance, LEVEL)
    return cif, 1 - complement.upper, 1 - complement.lower


def _rows(paramcd: str, curve: str, time, estimate, lower=np.nan, upper=np.nan) -> pd.DataFrame:
    time = np.asarray(time, dtype=float)
    return pd.DataFrame(
        {
            "paramcd": paramcd,
            "curve": curve,
            "time": time,
            **{
                name: np.broadcast_to(np.asarray(values, dtype=float), time.shape)
                for name, values in (("estimate", estimate), ("lower", lower), ("upper", upper))
            },
        },
        columns=COLUMNS,
    )


def _horizon(paramcd: str, curve: str, data: EventTimes, days: float, values) -> pd.DataFrame:
    """The value at the horizon with its limits, or missing where nobody is followed that
    long."""
    values = [float(v) for v in values] if estimable_at(data.time, days) else [np.nan] * 3
    return _rows(paramcd, curve, [days], *values)


def _at_risk(paramcd: str, data: EventTimes) -> pd.DataFrame:
    times = np.unique(data.time)
    ordered = np.sort(data.time)
    counts = ordered.size - np.searchsorted(ordered, times, side="left")
    return _rows(paramcd, "at_risk", times, counts)


def _km(paramcd: str, data: EventTimes) -> pd.DataFrame:
    curve = kaplan_meier(data.time, data.event)
    band = survival_at(curve, curve.time, LEVEL)
    return _rows(paramcd, "km", curve.time, curve.survival, band.lower, band.upper)


def efficacy_curves(adtte: pd.DataFrame, horizon: Horizon, reps: int, seed: int) -> pd.DataFrame:
    """Every curve of the efficacy figures (module docstring), one row per point."""
    days = horizon.days
    at = np.array([days])
    frames = []
    lf = endpoint_times(adtte, "LF")
    aj = aalen_johansen(lf.time, lf.status)
    grid = np.union1d(aj.time, at)
    estimate, lower, upper = cluster_ij_curve(lf, grid)
    i = int(np.searchsorted(grid, days))
    frames += [
        _rows("LF", "aj", aj.time, aj.cif),
        _rows("LF", "aj_band", grid, estimate, lower, upper),
        _km("LF", lf),
        _horizon("LF", "horizon_cif", lf, days, (estimate[i], lower[i], upper[i])),
        _horizon(
            "LF", "horizon_km", lf, days, (v[0] for v in bootstrap_curve(lf, at, reps, seed, "km"))
        ),
        _at_risk("LF", lf),
    ]
    for code in SURVIVAL:
        data = endpoint_times(adtte, code)
        curve = kaplan_meier(data.time, data.event)
        censored = data.time[~data.event]
        frames += [
            _km(code, data),
            _rows(code, "censored", censored, survival_at(curve, censored).estimate),
            _horizon(code, "horizon_km", data, days, survival_at(curve, days, LEVEL)),
            _at_risk(code, data),
        ]
    for code in FAILURES:
        data = endpoint_times(adtte, code)
        aj = aalen_johansen(data.time, data.status)
        frames += [
            _rows(code, "aj", aj.time, aj.cif),
            _horizon(
                code,
                "horizon_cif",
                data,
                days,
                (v[0] for v in bootstrap_curve(data, at, reps, seed)),
            ),
            _at_risk(code, data),
        ]
    return pd.concat(frames, ignore_index=True)
