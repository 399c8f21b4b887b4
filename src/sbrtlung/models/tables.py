"""Manuscript tables of the prognostic models: performance with gains, and TRIPOD+AI items.

Metrics are printed with three decimals as "mean (2.5th-97.5th percentile over repeats)";
gains carry their sign and read "+0.012 (-0.004 to 0.027)" so that negative limits stay
legible. Risks are percentages with one decimal.
"""

from __future__ import annotations

import math

import pandas as pd

from sbrtlung.formatting import estimate_ci, n_pct, percent
from sbrtlung.models.data import DYNAMIC_TIMEPOINTS, ENDPOINTS, GROUP_SCALES, Cohort
from sbrtlung.models.metrics import LABELS, METRICS
from sbrtlung.models.pipeline import ALPHA_MIN_RATIO, L1_RATIO, MODEL_BY_NAME, N_ALPHAS

COHORT_LABELS = {"full": "All patients", "landmark": "Landmark cohort"}
COHORT_DETAILS = {
    "full": "Safety set, time from the first SBRT start",
    "landmark": "Event-free and followed at the landmark, time from the landmark",
}
OUTCOMES = {
    "PFS": "Local failure of any lesion, regional or distant progression, or death",
    "OS": "Death from any cause",
}
GROUP_LABELS = {"clinical": "Clinical", "baseline": "Baseline markers", "dynamics": "Dynamics"}
DECIMALS = 3


def _missing(value: float) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def metric_text(mean: float, lower: float, upper: float) -> str:
    """'0.612 (0.590-0.634)'; 'NA' when the metric could never be evaluated."""
    if _missing(mean):
        return "NA"
    d = DECIMALS
    return f"{mean:.{d}f} ({lower:.{d}f}-{upper:.{d}f})"


def gain_text(mean: float, lower: float, upper: float) -> str:
    """'+0.012 (-0.004 to 0.027)': signed, limits joined by 'to'."""
    if _missing(mean):
        return "NA"
    d = DECIMALS
    return f"{mean:+.{d}f} ({lower:.{d}f} to {upper:.{d}f})"


def _label(model: str) -> str:
    return MODEL_BY_NAME[model].label


def models_table(performance: pd.DataFrame, gains: pd.DataFrame) -> pd.DataFrame:
    """Per endpoint and cohort: each model's metrics, then its paired gains."""
    columns = [LABELS[m] for m in METRICS]
    rows = []
    for (endpoint, cohort), perf in performance.groupby(["endpoint", "cohort"], sort=False):
        first = perf.iloc[0]
        where = {
            "Endpoint": endpoint,
            "Cohort": f"{COHORT_LABELS[cohort]} (n = {first['n']}, {first['events']} events)",
        }
        for model, rows_m in perf.groupby("model", sort=False):
            by_metric = rows_m.set_index("metric")
            rows.append(
                where
                | {"Model": _label(model)}
                | {
                    LABELS[m]: metric_text(*by_metric.loc[m, ["mean", "lower", "upper"]])
                    for m in METRICS
                }
            )
        chosen = gains[(gains["endpoint"] == endpoint) & (gains["cohort"] == cohort)]
        for (model, reference), rows_g in chosen.groupby(["model", "reference"], sort=False):
            by_metric = rows_g.set_index("metric")
            rows.append(
                where
                | {"Model": f"{_label(model)}: gain over {_label(reference).lower()}"}
                | {
                    LABELS[m]: gain_text(*by_metric.loc[m, ["mean", "lower", "upper"]])
                    for m in METRICS
                }
            )
    return pd.DataFrame(rows, columns=["Endpoint", "Cohort", "Model", *columns])


def missing_data(cohorts: list[Cohort]) -> pd.DataFrame:
    """Missing values of each predictor in the cohort where it is first used."""
    rows = []
    for c in cohorts:
        for predictor in c.X.columns:
            group = c.groups[predictor]
            if (group == "dynamics") != (c.name == "landmark"):
                continue
            rows.append(
                {
                    "endpoint": c.endpoint,
                    "cohort": c.name,
                    "predictor": predictor,
                    "group": group,
                    "n_missing": int(c.X[predictor].isna().sum()),
                    "n": len(c.X),
                }
            )
    return pd.DataFrame(rows)


def _per_endpoint(values: dict[str, str]) -> dict[str, str]:
    return {endpoint: values.get(endpoint, "") for endpoint in ENDPOINTS}


def tripod_table(
    cohorts: list[Cohort],
    performance: pd.DataFrame,
    calibration: pd.DataFrame,
    *,
    folds: int,
    repeats: int,
    landmark_days: float,
    horizon_days: float,
    year_days: float,
) -> pd.DataFrame:
    """The automatable TRIPOD+AI items: one row per item and detail, one column per endpoint."""
    rows: list[dict[str, str]] = []

    def add(section: str, item: str, detail: str, values: dict[str, str]) -> None:
        rows.append({"Section": section, "Item": item, "Detail": detail} | _per_endpoint(values))

    add("Outcome", "Event", "", OUTCOMES)
    for name, label in COHORT_DETAILS.items():
        sizes = {
            c.endpoint: f"{len(c.X)} ({int(c.event.sum())} events)"
            for c in cohorts
            if c.name == name
        }
        add("Participants", "Patients (events)", label, sizes)
    add(
        "Participants",
        "Landmark",
        "",
        dict.fromkeys(
            ENDPOINTS,
            f"Event-free and followed at day {landmark_days:g}; post-treatment values "
            f"sampled by then",
        ),
    )
    first = {c.name: c for c in cohorts if c.endpoint == ENDPOINTS[0]}
    for group, scale in GROUP_SCALES.items():
        names = first["landmark" if group == "dynamics" else "full"].columns((group,))
        detail = scale + (": " + ", ".join(names) if group == "clinical" else "")
        if group == "dynamics":
            detail += " to " + " and ".join(t.replace("_", " ") for t in DYNAMIC_TIMEPOINTS)
        add("Predictors", GROUP_LABELS[group], detail, dict.fromkeys(ENDPOINTS, str(len(names))))
    missing = missing_data(cohorts)
    for (predictor, group), rows_p in missing.groupby(["predictor", "group"], sort=False):
        values = {r["endpoint"]: n_pct(r["n_missing"], r["n"]) for _, r in rows_p.iterrows()}
        add("Missing data", GROUP_LABELS[group], predictor, values)
    add(
        "Missing data",
        "Handling",
        "",
        dict.fromkeys(ENDPOINTS, "Median imputation, fitted on the training part of each fit"),
    )
    model_text = (
        f"Elastic-net Cox (l1 ratio {L1_RATIO:g}); predictors standardised on the training "
        f"part; path of {N_ALPHAS} penalties down to {ALPHA_MIN_RATIO:g} x the largest"
    )
    add("Model", "Type", "", dict.fromkeys(ENDPOINTS, model_text))
    tuning = (
        f"Penalty chosen by the highest mean Harrell's C in an inner stratified {folds}-fold "
        "CV on the outer training part only"
    )
    add("Model", "Tuning", "", dict.fromkeys(ENDPOINTS, tuning))
    validation = (
        f"Outer stratified {folds}-fold CV repeated {repeats} times, identical splits for all "
        "models of a cohort; mean (2.5th-97.5th percentile) over repeats"
    )
    add("Evaluation", "Internal validation", "", dict.fromkeys(ENDPOINTS, validation))
    for (cohort, model, metric), rows_m in performance.groupby(
        ["cohort", "model", "metric"], sort=False
    ):
        section = "Overall performance" if metric == "ibs" else "Discrimination"
        values = {
            r["endpoint"]: metric_text(r["mean"], r["lower"], r["upper"])
            for _, r in rows_m.iterrows()
        }
        add(section, f"{_label(model)}, {COHORT_LABELS[cohort].lower()}", LABELS[metric], values)
    years = horizon_days / year_days
    for (cohort, model, tertile), rows_c in calibration.groupby(
        ["cohort", "model", "tertile"], sort=False
    ):
        values = {
            r["endpoint"]: f"predicted {percent(r['predicted'])}, observed "
            + estimate_ci(r["observed"], r["lower"], r["upper"])
            for _, r in rows_c.iterrows()
        }
        add(
            "Calibration",
            f"{_label(model)}, {COHORT_LABELS[cohort].lower()}",
            f"Tertile {tertile} of predicted {years:g}-year risk",
            values,
        )
    return pd.DataFrame(rows)
