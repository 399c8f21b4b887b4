"""Manuscript tables of the prognostic models: performance with gains, and TRIPOD+AI items.

Metrics print as "mean (2.5th–97.5th percentile over repeats)", gains with their sign,
"+0.012 (−0.004 to 0.027)", both through `sbrtlung.formatter` (the kinds of
`metrics.KINDS`). Predictors print in words, never as column names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sbrtlung.adam.endpoints import label as endpoint_label
from sbrtlung.formatter import NOT_ESTIMABLE, Kind, in_sentence, n_pct, number, with_interval
from sbrtlung.markers.summary import LABELS as MARKER_LABELS
from sbrtlung.markers.summary import TIMEPOINT_LABELS
from sbrtlung.models.calibration_slope import MEASURES as CALIBRATION_MEASURES
from sbrtlung.models.data import DYNAMIC_TIMEPOINTS, ENDPOINTS, GROUP_SCALES, Cohort
from sbrtlung.models.metrics import KINDS, METRICS, labels
from sbrtlung.models.pipeline import ALPHA_MIN_RATIO, L1_RATIO, MODEL_BY_NAME, N_ALPHAS
from sbrtlung.study import Horizon
from sbrtlung.tables import Table, first_only, markdown_table

ENDPOINT_LABELS = {code: endpoint_label(code) for code in ENDPOINTS}
COHORT_LABELS = {"full": "all patients", "landmark": "landmark cohort"}
COHORT_DETAILS = {
    "full": "Safety set, time from the first SBRT start",
    "landmark": "Event-free and followed at the landmark, time from the landmark",
}
OUTCOMES = {
    "PFS": "Local failure of any nodule, regional or distant progression, or death",
    "OS": "Death from any cause",
}
GROUP_LABELS = {"clinical": "Clinical", "baseline": "Baseline markers", "dynamics": "Dynamics"}
CLINICAL_LABELS = {
    "age": "Age",
    "sex": "Sex (male)",
    "ecog": "ECOG performance status",
    "pack_years": "Pack-years",
    "charlson": "Charlson comorbidity index",
    "n_lesions": "Number of treated nodules",
    "largest_diameter_mm": "Largest nodule diameter",
    "lowest_bed10": "Lowest BED10",
}
# The printed table's metrics: AUC at 1 year is in the CSV and the TRIPOD+AI report.
PRINTED = ("harrell_c", "uno_c", "auc_2y", "ibs")


def metric_short(horizon: Horizon) -> dict[str, str]:
    """Each metric as a column of the printed table."""
    return {
        "harrell_c": "Harrell's C",
        "uno_c": "Uno's C",
        "auc_1y": "AUC 1 year",
        "auc_2y": f"AUC {horizon.years_label}",
        "ibs": "IBS",
    }


def predictor_label(column: str) -> str:
    """A predictor in words: 'Age', 'NLR, baseline', 'CRP, change to one month'."""
    if column in CLINICAL_LABELS:
        return CLINICAL_LABELS[column]
    for marker, (short, _) in MARKER_LABELS.items():
        if column == f"{marker}_baseline":
            return f"{short}, baseline"
        for timepoint in DYNAMIC_TIMEPOINTS:
            if column == f"{marker}_change_{timepoint}":
                return f"{short}, change to {in_sentence(TIMEPOINT_LABELS[timepoint])}"
    raise KeyError(f"no label for predictor {column!r}")


def metric_text(metric: str, mean: float, lower: float, upper: float) -> str:
    """'0.612 (0.590–0.634)'; 'NA' when the metric could never be evaluated."""
    return with_interval(mean, lower, upper, KINDS[metric])


def gain_text(mean: float, lower: float, upper: float) -> str:
    """'+0.012 (−0.004 to 0.027)': signed, limits joined by 'to' when one is negative."""
    return with_interval(mean, lower, upper, Kind.CV_GAIN)


def _label(model: str) -> str:
    return MODEL_BY_NAME[model].label


def _calibration_cells(calibration_slope: pd.DataFrame, key: tuple) -> dict[str, str]:
    """A model's calibration slope and O/E ratio, 'mean (2.5th-97.5th percentiles)' over
    repeats (SAP amendment 1.2f); empty for a gain row."""
    rows = calibration_slope.set_index(["endpoint", "cohort", "model", "measure"])
    return {
        CALIBRATION_SHORT[m]: with_interval(
            *rows.loc[(*key, m), ["mean", "lower", "upper"]], Kind.NUMBER, decimals=2
        )
        if (*key, m) in rows.index
        else NOT_ESTIMABLE
        for m in CALIBRATION_SHORT
    }


CALIBRATION_SHORT = {"slope": "Slope", "oe_ratio": "O/E"}


def models_table(
    performance: pd.DataFrame,
    gains: pd.DataFrame,
    calibration_slope: pd.DataFrame,
    horizon: Horizon,
) -> Table:
    """Per endpoint and cohort: each model's metrics and calibration (slope, O/E), then its
    paired gains.

    The frame (CSV) has endpoint, cohort, its size, the row and every metric in their own
    columns; the Markdown heads each endpoint and cohort with one row and lists its models
    under it, with the metrics of `PRINTED`.
    """
    short = metric_short(horizon)
    columns = [short[m] for m in METRICS] + list(CALIBRATION_SHORT.values())
    records, shown = [], []
    for (endpoint, cohort), perf in performance.groupby(["endpoint", "cohort"], sort=False):
        first = perf.iloc[0]
        head = (
            f"{ENDPOINT_LABELS[endpoint]}, {COHORT_LABELS[cohort]} "
            f"(n = {first['n']}, {first['events']} events)"
        )
        shown.append({"Model": f"**{head}**"} | dict.fromkeys(columns, ""))
        where = {"Endpoint": endpoint, "Cohort": cohort, "n": first["n"], "Events": first["events"]}
        for model, rows_m in perf.groupby("model", sort=False):
            by_metric = rows_m.set_index("metric")
            cells = {
                short[m]: metric_text(m, *by_metric.loc[m, ["mean", "lower", "upper"]])
                for m in METRICS
            } | _calibration_cells(calibration_slope, (endpoint, cohort, model))
            records.append(where | {"Model": _label(model)} | cells)
            shown.append({"Model": _label(model)} | cells)
        chosen = gains[(gains["endpoint"] == endpoint) & (gains["cohort"] == cohort)]
        for (model, reference), rows_g in chosen.groupby(["model", "reference"], sort=False):
            by_metric = rows_g.set_index("metric")
            name = f"Gain, {in_sentence(_label(model))} vs {in_sentence(_label(reference))}"
            cells = {
                short[m]: gain_text(*by_metric.loc[m, ["mean", "lower", "upper"]]) for m in METRICS
            } | dict.fromkeys(CALIBRATION_SHORT.values(), "")
            records.append(where | {"Model": name} | cells)
            shown.append({"Model": name} | cells)
    frame = pd.DataFrame(records, columns=["Endpoint", "Cohort", "n", "Events", "Model", *columns])
    printed_columns = [*(short[m] for m in PRINTED), *CALIBRATION_SHORT.values()]
    printed = pd.DataFrame(shown).fillna("")[["Model", *printed_columns]]
    return Table(frame, markdown_table(printed, "l" + "r" * len(printed_columns)))


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
    return {ENDPOINT_LABELS[e]: values.get(e, "") for e in ENDPOINTS}


def _methods(
    cohorts: list[Cohort], *, folds: int, repeats: int, landmark_days: float
) -> pd.DataFrame:
    """The TRIPOD+AI items that are the same for every endpoint, one row each."""
    first = {c.name: c for c in cohorts if c.endpoint == ENDPOINTS[0]}
    rows = [
        (
            "Participants",
            "Landmark cohort",
            f"Event-free and followed at day {landmark_days:g}; post-treatment values sampled "
            "by then",
        )
    ]
    for group, scale in GROUP_SCALES.items():
        names = first["landmark" if group == "dynamics" else "full"].columns((group,))
        what = f"{len(names)} predictors, {scale}"
        if group == "clinical":
            what += ": " + ", ".join(in_sentence(predictor_label(n)) for n in names)
        elif group == "dynamics":
            timepoints = (in_sentence(TIMEPOINT_LABELS[t]) for t in DYNAMIC_TIMEPOINTS)
            what += " to " + " and ".join(timepoints)
        rows.append(("Predictors", GROUP_LABELS[group], what))
    rows += [
        ("Missing data", "Handling", "Median imputation, fitted on the training part of each fit"),
        (
            "Model",
            "Type",
            f"Elastic-net Cox (l1 ratio {L1_RATIO:g}); predictors standardised on the training "
            f"part; path of {N_ALPHAS} penalties down to {ALPHA_MIN_RATIO:g} \u00d7 the largest",
        ),
        (
            "Model",
            "Tuning",
            f"Penalty chosen by the highest mean Harrell's C in an inner stratified {folds}-fold "
            "cross-validation on the outer training part only",
        ),
        (
            "Evaluation",
            "Internal validation",
            f"Outer stratified {folds}-fold cross-validation repeated {repeats} times, identical "
            "splits for all models of a cohort; mean (2.5th\u201397.5th percentile) over repeats",
        ),
    ]
    return pd.DataFrame(rows, columns=["Section", "Item", "Description"])


def _by_endpoint(
    cohorts: list[Cohort],
    performance: pd.DataFrame,
    calibration: pd.DataFrame,
    calibration_slope: pd.DataFrame,
    *,
    horizon: Horizon,
) -> pd.DataFrame:
    """The TRIPOD+AI items whose answer differs by endpoint: one column per endpoint."""
    rows: list[dict[str, str]] = []
    metric_labels = labels(horizon)

    def add(section: str, item: str, values: dict[str, str]) -> None:
        rows.append({"Section": section, "Item": item} | _per_endpoint(values))

    add("Outcome", "Event", OUTCOMES)
    for name, label in COHORT_DETAILS.items():
        sizes = {
            c.endpoint: f"{len(c.X)} ({int(c.event.sum())} events)"
            for c in cohorts
            if c.name == name
        }
        add("Participants", f"Patients (events): {in_sentence(label)}", sizes)
    missing = missing_data(cohorts)
    for predictor, rows_p in missing.groupby("predictor", sort=False):
        values = {r["endpoint"]: n_pct(r["n_missing"], r["n"]) for _, r in rows_p.iterrows()}
        add("Missing data, n (%)", predictor_label(predictor), values)
    for (cohort, model, metric), rows_m in performance.groupby(
        ["cohort", "model", "metric"], sort=False
    ):
        section = "Overall performance" if metric == "ibs" else "Discrimination"
        values = {
            r["endpoint"]: metric_text(metric, r["mean"], r["lower"], r["upper"])
            for _, r in rows_m.iterrows()
        }
        item = f"{metric_labels[metric]}: {in_sentence(_label(model))}, {COHORT_LABELS[cohort]}"
        add(section, item, values)
    for (cohort, model, tertile), rows_c in calibration.groupby(
        ["cohort", "model", "tertile"], sort=False
    ):
        values = {
            r["endpoint"]: f"predicted {number(r['predicted'], Kind.PROPORTION)}, observed "
            + with_interval(r["observed"], r["lower"], r["upper"], Kind.PROPORTION)
            for _, r in rows_c.iterrows()
        }
        item = (
            f"{_label(model)}, {COHORT_LABELS[cohort]}: tertile {tertile} of predicted "
            f"{horizon.adjective} risk"
        )
        add("Calibration", item, values)
    for (cohort, model, measure), rows_s in calibration_slope.groupby(
        ["cohort", "model", "measure"], sort=False
    ):
        values = {
            r["endpoint"]: with_interval(r["mean"], r["lower"], r["upper"], Kind.NUMBER, decimals=2)
            for _, r in rows_s.iterrows()
        }
        name = CALIBRATION_MEASURES[measure]
        add("Calibration", f"{name}: {in_sentence(_label(model))}, {COHORT_LABELS[cohort]}", values)
    return pd.DataFrame(rows)


def tripod_table(
    cohorts: list[Cohort],
    performance: pd.DataFrame,
    calibration: pd.DataFrame,
    calibration_slope: pd.DataFrame,
    *,
    folds: int,
    repeats: int,
    landmark_days: float,
    horizon: Horizon,
) -> Table:
    """The automatable TRIPOD+AI items as two tables: the methods shared by both endpoints,
    and the items answered per endpoint (one column each). The frame stacks both."""
    methods = _methods(cohorts, folds=folds, repeats=repeats, landmark_days=landmark_days)
    results = _by_endpoint(cohorts, performance, calibration, calibration_slope, horizon=horizon)
    frame = pd.concat(
        [methods.assign(part="methods"), results.assign(part="by endpoint")], ignore_index=True
    )
    text = (
        markdown_table(
            first_only(methods, "Section"),
            "lll",
            "TRIPOD+AI model report, methods shared by both endpoints: landmark, predictors, "
            "missing data, model, tuning and internal validation.",
            "tbl-tripod-methods",
        )
        + "\n"
        + markdown_table(
            first_only(results, "Section"),
            "llll",
            "TRIPOD+AI model report by endpoint: outcome, participants and events, missing data "
            "per predictor, discrimination, overall performance and calibration (mean and "
            "2.5th\u201397.5th percentiles over cross-validation repeats; observed risk with "
            "its 95% CI).",
            "tbl-tripod",
        )
    )
    return Table(frame[["part", *[c for c in frame.columns if c != "part"]]], text)


def model_tables(
    cohorts: list[Cohort],
    performance: pd.DataFrame,
    gains: pd.DataFrame,
    calibration: pd.DataFrame,
    calibration_slope: pd.DataFrame,
    **design: Any,
) -> dict:
    """The model_tables rule's tables by name: performance with gains, and TRIPOD+AI, whose
    `design` keywords (folds, repeats, landmark days, horizon) `tripod_table` takes."""
    return {
        "models": models_table(performance, gains, calibration_slope, design["horizon"]),
        "tripod": tripod_table(cohorts, performance, calibration, calibration_slope, **design),
    }
