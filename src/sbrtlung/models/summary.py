"""Aggregation of the repeats: performance, paired gains, selection, calibration (SAP 4).

- A metric's value in one repeat is its mean over the outer folds where it could be
  evaluated (`metrics`); the summary over repeats is the mean of those repeat means and
  their 2.5th and 97.5th percentiles (linear interpolation). The interval therefore
  describes how much the estimate moves with the random partition into folds; it is not a
  sampling confidence interval of the population performance (docs/models.md).
- The gain of a model over its reference is computed fold by fold on the identical split
  (model minus reference, so for the integrated Brier score a negative gain is better),
  averaged within the repeat and summarised in the same way.
- Selection frequency: the share of all outer fits (repeats x folds) with a non-zero
  coefficient.
- Calibration: each patient's out-of-fold risk of an event by the horizon is averaged over
  the repeats (one prediction per patient and repeat); patients are split into tertiles of
  that mean risk, and each tertile's mean predicted risk is set against its Kaplan-Meier
  observed risk at the horizon, 1 - S(horizon), with the log(-log) Greenwood 95% CI. A
  tertile in which nobody is followed to the horizon (`estimators.estimable_at`) has no
  observed value.

A model that could not be estimated (`cv.analyses`) has no rows in these tables; the key
results still name it, with missing values, so the text can say it was not estimable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbrtlung.analysis.estimators import estimable_at, kaplan_meier, survival_at
from sbrtlung.formatter import Kind
from sbrtlung.models.data import ENDPOINTS
from sbrtlung.models.metrics import KINDS as METRIC_KINDS
from sbrtlung.models.metrics import METRICS
from sbrtlung.models.pipeline import MODELS, REFERENCE

KEYS = ["endpoint", "cohort", "model"]
LEVEL = 0.95
PERCENTILES = (2.5, 97.5)
TERTILES = 3
SUMMARY_COLUMNS = ["mean", "lower", "upper", "n_repeats", "folds_missing", "folds"]
CALIBRATION_COLUMNS = [*KEYS, "tertile", "n", "events", "predicted", "observed", "lower", "upper"]
# (model, reference) pairs of the paired comparisons; the second only exists in the
# landmark cohort, where it isolates what the dynamics add to the baseline markers.
COMPARISONS = (
    ("clinical_markers", REFERENCE),
    ("clinical_markers_dynamics", REFERENCE),
    ("clinical_markers_dynamics", "clinical_markers"),
)


def _long(fold_metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per fold and metric."""
    return fold_metrics.melt(
        id_vars=[*KEYS, "repeat", "fold"], value_vars=list(METRICS), var_name="metric"
    )


def _summarise(repeat_values: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and percentile interval over repeats of the repeat means in column `value`."""

    if repeat_values.empty:
        return pd.DataFrame(columns=[*keys, *SUMMARY_COLUMNS])

    def one(group: pd.DataFrame) -> pd.Series:
        values = group["value"].dropna().to_numpy()
        lower, upper = np.percentile(values, PERCENTILES) if values.size else (np.nan, np.nan)
        return pd.Series(
            {
                "mean": values.mean() if values.size else np.nan,
                "lower": lower,
                "upper": upper,
                "n_repeats": values.size,
                "folds_missing": int(group["folds_missing"].sum()),
                "folds": int(group["folds"].sum()),
            }
        )

    return (
        repeat_values.groupby(keys, sort=False)[["value", "folds_missing", "folds"]]
        .apply(one)
        .reset_index()
        .astype({"n_repeats": int, "folds_missing": int, "folds": int})
    )


def _repeat_means(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per repeat: the mean over the folds with a value, and how many folds had none."""
    if long.empty:
        return pd.DataFrame(columns=[*keys, "repeat", "value", "folds_missing", "folds"])
    grouped = long.groupby([*keys, "repeat"], sort=False)["value"]
    return pd.DataFrame(
        {
            "value": grouped.mean(),
            "folds_missing": grouped.apply(lambda v: int(v.isna().sum())),
            "folds": grouped.size(),
        }
    ).reset_index()


def repeat_metrics(fold_metrics: pd.DataFrame) -> pd.DataFrame:
    """Repeat means of every metric of every model (the spread drawn in the figure)."""
    return _repeat_means(_long(fold_metrics), [*KEYS, "metric"])


def performance(fold_metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and 2.5-97.5 percentiles over repeats of each metric, with the cohort size."""
    summary = _summarise(repeat_metrics(fold_metrics), [*KEYS, "metric"])
    first = fold_metrics.drop_duplicates(KEYS).set_index(KEYS)
    size = pd.DataFrame(
        {
            "n": first["n_train"] + first["n_test"],
            "events": first["events_train"] + first["events_test"],
        }
    )
    return summary.join(size, on=KEYS)


def gains(fold_metrics: pd.DataFrame) -> pd.DataFrame:
    """Paired differences, model minus reference, on identical folds (see module docstring)."""
    long = _long(fold_metrics)
    index = ["endpoint", "cohort", "repeat", "fold", "metric"]
    frames = []
    for model, reference in COMPARISONS:
        left = long[long["model"] == model].set_index(index)["value"]
        right = long[long["model"] == reference].set_index(index)["value"]
        paired = (left - right.reindex(left.index)).rename("value").reset_index()
        frames.append(paired.assign(model=model, reference=reference))
    diffs = pd.concat(frames, ignore_index=True)
    keys = [*KEYS, "reference", "metric"]
    return _summarise(_repeat_means(diffs, keys), keys)


def selection(coefficients: pd.DataFrame) -> pd.DataFrame:
    """How often each predictor has a non-zero coefficient over all outer fits."""
    keys = [*KEYS, "predictor", "group"]
    selected = coefficients.assign(selected=coefficients["coefficient"] != 0)
    out = (
        selected.groupby(keys, sort=False)["selected"]
        .agg(n_fits="size", n_selected="sum")
        .reset_index()
    )
    return out.assign(frequency=out["n_selected"] / out["n_fits"])


def calibration(predictions: pd.DataFrame, horizon_days: float) -> pd.DataFrame:
    """Observed against predicted risk by the horizon, per tertile of predicted risk."""
    rows = []
    for key, group in predictions.groupby(KEYS, sort=False):
        patients = group.groupby("USUBJID", sort=True).agg(
            risk=("risk_horizon", "mean"), time=("time", "first"), event=("event", "first")
        )
        patients = patients.dropna(subset=["risk"])
        if len(patients) < TERTILES:
            # Too few predicted risks at the horizon (an interim cut before anyone could
            # reach it): no tertile to calibrate.
            continue
        tertile = pd.qcut(
            patients["risk"].rank(method="first"), TERTILES, labels=range(1, TERTILES + 1)
        )
        for k, members in patients.groupby(tertile, observed=True):
            curve = kaplan_meier(members["time"], members["event"])
            followed = estimable_at(members["time"], horizon_days)
            surv = survival_at(curve, horizon_days, LEVEL) if followed else (np.nan,) * 3
            rows.append(
                dict(zip(KEYS, key, strict=True))
                | {
                    "tertile": int(k),
                    "n": len(members),
                    "events": int(members["event"].sum()),
                    "predicted": members["risk"].mean(),
                    "observed": 1 - surv[0],
                    "lower": 1 - surv[2],
                    "upper": 1 - surv[1],
                }
            )
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


def _entry(row: pd.Series, gain: bool) -> dict:
    """A metric's mean over repeats and its 2.5th-97.5th percentiles over repeats (`range_cv`,
    not a confidence interval), with its kind."""
    kind = Kind.CV_GAIN if gain else METRIC_KINDS[row["metric"]]
    return {"kind": kind.value, "mean": row["mean"], "range_cv": [row["lower"], row["upper"]]}


def _block(table: pd.DataFrame, models: list[str], gain: bool = False) -> dict:
    """{endpoint: {model: {metric: {kind, mean, range_cv}}}} of the rows given; every
    endpoint, model of `models` and metric is there, missing (NaN) where the model was not
    estimable."""
    out: dict = {}
    for endpoint in ENDPOINTS:
        out[endpoint] = {}
        for model in models:
            out[endpoint][model] = {
                metric: {
                    "kind": (Kind.CV_GAIN if gain else METRIC_KINDS[metric]).value,
                    "mean": np.nan,
                    "range_cv": [np.nan, np.nan],
                }
                for metric in METRICS
            }
    for _, row in table.iterrows():
        out[row["endpoint"]][row["model"]][row["metric"]] = _entry(row, gain)
    return out


def key_results(performance: pd.DataFrame, gains: pd.DataFrame) -> dict:
    """The models' numbers for the manuscript.

    ``models`` and ``gain_over_clinical`` hold each model in its main cohort: the clinical
    and marker models on all patients, the dynamics model on the landmark cohort (its gain
    against the clinical model refitted on that cohort). ``landmark`` repeats all three
    models and their gains on the landmark cohort, like for like.
    """
    main = {(m.name, m.cohorts[0]) for m in MODELS}

    def is_main(table: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [(m, c) in main for m, c in zip(table["model"], table["cohort"], strict=True)],
            index=table.index,
        )

    landmark_perf = performance[performance["cohort"] == "landmark"]
    landmark_gain = gains[gains["cohort"] == "landmark"]
    versus = gains["reference"] == REFERENCE
    everyone = [m.name for m in MODELS]
    compared = {ref: [m for m, r in COMPARISONS if r == ref] for _, ref in COMPARISONS}
    return {
        "models": _block(performance[is_main(performance)], everyone),
        "gain_over_clinical": _block(
            gains[versus & is_main(gains)], compared[REFERENCE], gain=True
        ),
        "landmark": {
            "models": _block(landmark_perf, everyone),
            "gain_over_clinical": _block(
                landmark_gain[landmark_gain["reference"] == REFERENCE],
                compared[REFERENCE],
                gain=True,
            ),
            "gain_over_clinical_markers": _block(
                landmark_gain[landmark_gain["reference"] == "clinical_markers"],
                compared["clinical_markers"],
                gain=True,
            ),
        },
        "cohorts": {
            endpoint: {
                cohort: {"n": int(rows["n"].iloc[0]), "events": int(rows["events"].iloc[0])}
                for cohort, rows in by_endpoint.groupby("cohort", sort=False)
            }
            for endpoint, by_endpoint in performance.groupby("endpoint", sort=False)
        },
    }


@dataclass(frozen=True)
class ModelSummary:
    """What the model_summary rule writes, gathered over the repeats."""

    performance: pd.DataFrame
    gain: pd.DataFrame
    repeat_metrics: pd.DataFrame
    selection: pd.DataFrame
    calibration: pd.DataFrame
    key_results: dict


def gather(
    fold_metrics: pd.DataFrame,
    coefficients: pd.DataFrame,
    predictions: pd.DataFrame,
    horizon_days: float,
) -> ModelSummary:
    """Every summary of the repeats' folds, coefficients and out-of-fold predictions."""
    perf, gain = performance(fold_metrics), gains(fold_metrics)
    return ModelSummary(
        perf,
        gain,
        repeat_metrics(fold_metrics),
        selection(coefficients),
        calibration(predictions, horizon_days),
        key_results(perf, gain),
    )
