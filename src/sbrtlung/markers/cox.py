"""Univariable Cox models of the blood markers for PFS, OS and local failure (SAP 4).

Every marker (14 analytes, 5 indices) is one model per endpoint and variable:

- baseline value, in the safety set, time from the first SBRT start;
- end-of-treatment and one-month values and their dynamics (log2 ratio to baseline), only in
  the landmark cohort: patients still event-free and followed beyond `landmark_days` after
  the first SBRT start, time counted from the landmark (`features.landmark`), using only
  values sampled by the landmark day (`features.markers(known_by_day=...)`).

LFPT is cause-specific: a death without local failure censors (`features.outcome`).
The covariate is log2(value) (dynamics: the log2 ratio itself), standardised by its SD in the
analysed patients, so the HR is per SD. Each model reports n, events, HR with its Wald 95% CI
and p, the Schoenfeld-residual test of proportional hazards (rank of time) and the number of
zero values replaced. Benjamini-Hochberg q-values are taken over every Cox model together
(all endpoints, markers and variables: one family). The REMARK profile counts, per model,
the enrolled patients and why each was not analysed, in this order: not in the safety set,
not in the landmark cohort, value sampled after the landmark, marker missing.

Choices where the plan is silent:

- log2(0): a zero is replaced by half the smallest positive value of that marker in ADLB
  (any patient, any timepoint), one floor per marker, so the levels of all timepoints share
  it; the number replaced is reported per model. Dynamics of a zero are missing in ADLB
  (the ratio is undefined) and count as a missing marker.
- SD with n - 1 in the denominator; the covariate is centred too (HR unaffected).
- lifelines' defaults: Efron ties, no penaliser. A model with no event, fewer than two
  patients or no variation is not fitted (its reason in `note`) and has no p-value, so it
  is outside the q-value family; a fit that does not converge is reported the same way,
  also when lifelines only warns that it did not (a HR running off with separation).
- A value sampled on the landmark day counts as known at the landmark.
"""

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceError, ConvergenceWarning
from lifelines.statistics import proportional_hazard_test

from sbrtlung.adam.endpoints import BY_PARAMCD
from sbrtlung.formatter import (
    NOT_ESTIMABLE,
    Kind,
    in_sentence,
    missing,
    p_value,
    value_range,
    with_interval,
)
from sbrtlung.logs import progress
from sbrtlung.markers import features
from sbrtlung.markers.summary import TIMEPOINT_LABELS, bh_q, marker_label, summary_table
from sbrtlung.schemas import vocabulary as v
from sbrtlung.tables import Table, first_only, markdown_table

# The endpoints modelled, by their label (cause-specific where death competes) and, where the
# printed table is tight, their abbreviation.
ENDPOINTS = {
    code: BY_PARAMCD[code].label + (" (cause-specific)" if BY_PARAMCD[code].competing else "")
    for code in ("PFS", "OS", "LFPT")
}
SHORT_ENDPOINTS = {code: BY_PARAMCD[code].short for code in ENDPOINTS}
EXCLUSIONS = {
    "not_in_saf": "Not in safety set",
    "not_in_landmark_cohort": "Not in landmark cohort",
    "sampled_after_landmark": "Sampled after landmark",
    "missing_marker": "Marker missing",
}
IDS = ["paramcd", "marker", "timepoint", "kind", "cohort", "key"]
PROFILE = [*IDS, "eligible", *EXCLUSIONS, "analysed", "events"]
RESULT = ["n", "events", "hr", "lower", "upper", "p", "ph_p", "sd", "note"]  # of `fit_cox`
COX = [
    *IDS, "n", "events", "hr", "lower", "upper", "p", "q", "ph_p", "zeros_replaced", "sd", "note",
]  # fmt: skip


@dataclass(frozen=True)
class Variable:
    """What a model's covariate is: the value at a timepoint, or its change from baseline."""

    timepoint: str
    kind: str  # "value" or "change"

    @property
    def cohort(self) -> str:
        return "baseline" if self.timepoint == "baseline" else "landmark"

    @property
    def column(self) -> str:
        return "AVAL" if self.kind == "value" else "LOG2CHG"

    def key(self, marker: str) -> str:
        """`nlr_baseline`, `nlr_one_month`, `nlr_change_one_month`."""
        middle = "_change" if self.kind == "change" else ""
        return f"{marker}{middle}_{self.timepoint}"

    @property
    def label(self) -> str:
        name = TIMEPOINT_LABELS[self.timepoint]
        if self.kind == "change":
            return f"Change to {in_sentence(name)} (landmark)"
        return f"{name} ({'safety set' if self.cohort == 'baseline' else 'landmark'})"


VARIABLES = (
    Variable("baseline", "value"),
    Variable("end_of_treatment", "value"),
    Variable("one_month", "value"),
    Variable("end_of_treatment", "change"),
    Variable("one_month", "change"),
)


@dataclass(frozen=True)
class VariableData:
    """The analysis cohort of one endpoint and variable, with every marker's values.

    `observed`: values whenever sampled; `known`: those known at the landmark (the same for
    baseline). Both are aligned on the cohort's patients, one column per marker.
    """

    outcomes: pd.DataFrame
    observed: pd.DataFrame
    known: pd.DataFrame


def variable_data(
    adlb: pd.DataFrame,
    adsl: pd.DataFrame,
    adtte: pd.DataFrame,
    paramcd: str,
    variable: Variable,
    landmark_days: float,
) -> VariableData:
    """The cohort (safety set, or landmark cohort with time from the landmark) and values."""
    outcomes = features.outcome(adtte, paramcd)
    known_by = None
    if variable.cohort == "landmark":
        outcomes = features.landmark(outcomes, landmark_days)
        known_by = landmark_days

    def values(known_by_day: float | None) -> pd.DataFrame:
        table = features.markers(adlb, adsl, variable.timepoint, variable.column, known_by_day)
        return table.reindex(index=outcomes.index, columns=list(v.MARKERS))

    return VariableData(outcomes, values(None), values(known_by))


def zero_floors(adlb: pd.DataFrame) -> pd.Series:
    """Per marker, half its smallest positive value in ADLB: what a zero becomes before log2."""
    positive = adlb[adlb["AVAL"] > 0]
    return positive.groupby("PARAMCD")["AVAL"].min().reindex(list(v.MARKERS)) / 2


def model_data(
    data: VariableData, marker: str, kind: str, floor: float
) -> tuple[pd.DataFrame, int]:
    """time, event and covariate `x` (log2 value, or log2 ratio) of the analysed patients, and
    the number of zeros replaced by `floor`."""
    x = data.known[marker].dropna()
    zeros = 0
    if kind == "value":
        is_zero = x == 0
        zeros = int(is_zero.sum())
        x = np.log2(x.mask(is_zero, floor))
    frame = data.outcomes.loc[x.index, ["time", "event"]].assign(x=x)
    return frame, zeros


def profile(data: VariableData, marker: str, n_enrolled: int, n_safety: int) -> dict[str, int]:
    """REMARK counts of one model: every enrolled patient in exactly one line."""
    observed, known = data.observed[marker], data.known[marker]
    return {
        "eligible": n_enrolled,
        "not_in_saf": n_enrolled - n_safety,
        "not_in_landmark_cohort": n_safety - len(data.outcomes),
        "sampled_after_landmark": int((observed.notna() & known.isna()).sum()),
        "missing_marker": int(observed.isna().sum()),
        "analysed": int(known.notna().sum()),
        "events": int(data.outcomes.loc[known.notna(), "event"].sum()),
    }


def _not_fitted(n: int, events: int, sd: float) -> str:
    """Why a model cannot be fitted, or '' when it can."""
    if n < 2:
        return "fewer than 2 patients"
    if events == 0:
        return "no event"
    return "" if sd > 0 else "no variation"


def fit_cox(frame: pd.DataFrame) -> dict[str, float | int | str]:
    """Cox model of `x` standardised to mean 0 and SD 1: HR per SD, Wald CI and p, PH test p."""
    n, events = len(frame), int(frame["event"].sum())
    sd = float(frame["x"].std(ddof=1)) if n > 1 else np.nan
    out: dict[str, float | int | str] = dict.fromkeys(RESULT, np.nan)
    out |= {"n": n, "events": events, "sd": sd, "note": ""}
    reason = _not_fitted(n, events, sd)
    if reason:
        return out | {"note": reason}
    z = frame.assign(x=(frame["x"] - frame["x"].mean()) / sd)
    try:
        # lifelines only warns when Newton-Raphson does not settle (with complete separation
        # the likelihood keeps rising and the HR runs off, its CI spanning 0 to infinity):
        # no estimate exists to report, so the warning counts as a failure to converge.
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            cph = CoxPHFitter().fit(z, duration_col="time", event_col="event")
    except (ConvergenceError, ConvergenceWarning):
        return out | {"note": "did not converge"}
    row = cph.summary.loc["x"]
    residuals = scaled_schoenfeld(cph, z)
    ph = proportional_hazard_test(cph, z, time_transform="rank", precomputed_residuals=residuals)
    ph = ph.summary["p"].iloc[0]
    return out | {
        "hr": float(row["exp(coef)"]),
        "lower": float(row["exp(coef) lower 95%"]),
        "upper": float(row["exp(coef) upper 95%"]),
        "p": float(row["p"]),
        "ph_p": float(ph),
    }


def scaled_schoenfeld(cph: CoxPHFitter, frame: pd.DataFrame) -> pd.DataFrame:
    """lifelines' scaled Schoenfeld residuals of the one-covariate fit `cph` of `frame`.

    The same Efron computation as ``cph.compute_residuals(frame, "scaled_schoenfeld")``,
    operation for operation (same values to the last bit), but grown in one pass instead of
    row by row with ``np.append``, which takes time quadratic in the patients. One row per
    event, in lifelines' order (by time, then event), as `proportional_hazard_test` expects.
    """
    data = frame.sort_values(["time", "event"])
    time = data["time"].to_numpy(dtype=float)
    event = data["event"].to_numpy(dtype=bool)
    x = data["x"].to_numpy(dtype=float)
    phi = np.exp(x * cph.params_.to_numpy()[0])
    # Sums over the risk set: everyone from the first row of the time onwards (backwards).
    risk_phi = np.cumsum(phi[::-1])[::-1]
    risk_phi_x = np.cumsum((phi * x)[::-1])[::-1]
    first = np.flatnonzero(np.r_[True, time[1:] != time[:-1]])
    end = np.r_[first[1:], time.size]
    deaths = np.add.reduceat(event.astype(np.int64), first)  # events sort last in a time
    tie_phi, tie_phi_x = np.zeros(first.size), np.zeros(first.size)
    for k in range(deaths.max()):  # summed from the last row back, as lifelines does
        tied = deaths > k
        tie_phi[tied] += phi[end[tied] - 1 - k]
        tie_phi_x[tied] += phi[end[tied] - 1 - k] * x[end[tied] - 1 - k]
    weighted_mean = np.zeros(first.size)
    for k in range(deaths.max()):  # Efron: the k-th death removes k / d of the tied risk
        tied = deaths > k
        d = deaths[tied]
        numerator = risk_phi_x[first[tied]] - k * tie_phi_x[tied] / d
        denominator = risk_phi[first[tied]] - k * tie_phi[tied] / d
        weighted_mean[tied] += numerator / (denominator * d)
    group = np.repeat(np.arange(first.size), end - first)
    residuals = (x - weighted_mean[group])[event]
    scaled = cph.event_observed.sum() * (residuals[:, None] @ cph.variance_matrix_.to_numpy())
    return pd.DataFrame(scaled, columns=cph.params_.index, index=data.index[event])


def marker_models(
    adlb: pd.DataFrame, adsl: pd.DataFrame, adtte: pd.DataFrame, landmark_days: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every Cox model (with q over all of them) and its REMARK profile, in endpoint, variable
    and marker order."""
    floors = zero_floors(adlb)
    n_enrolled, n_safety = len(adsl), int(adsl["SAFFL"].sum())
    models, profiles = [], []
    groups = [(paramcd, variable) for paramcd in ENDPOINTS for variable in VARIABLES]
    what = f"groups of {len(v.MARKERS)} Cox models (endpoint x variable)"
    for paramcd, variable in progress(groups, what):
        data = variable_data(adlb, adsl, adtte, paramcd, variable, landmark_days)
        for marker in v.MARKERS:
            ids = {
                "paramcd": paramcd,
                "marker": marker,
                "timepoint": variable.timepoint,
                "kind": variable.kind,
                "cohort": variable.cohort,
                "key": variable.key(marker),
            }
            frame, zeros = model_data(data, marker, variable.kind, floors[marker])
            models.append(ids | fit_cox(frame) | {"zeros_replaced": zeros})
            profiles.append(ids | profile(data, marker, n_enrolled, n_safety))
    cox = pd.DataFrame(models)
    cox["q"] = bh_q(cox["p"])
    return cox[COX], pd.DataFrame(profiles)[PROFILE]


def key_results(cox: pd.DataFrame) -> dict:
    """`{"marker_cox": {PARAMCD: {key: {kind, hr, ci95, p, q, n, events}}}}`."""
    out: dict[str, dict] = {}
    for row in cox.itertuples(index=False):
        out.setdefault(row.paramcd, {})[row.key] = {
            "kind": Kind.HAZARD_RATIO.value,
            "hr": row.hr,
            "ci95": [row.lower, row.upper],
            "p": row.p,
            "q": row.q,
            "n": row.n,
            "events": row.events,
        }
    return {"marker_cox": out}


@dataclass(frozen=True)
class MarkerModels:
    """What the marker_cox rule writes: every model, its REMARK profile, the key results."""

    cox: pd.DataFrame
    remark: pd.DataFrame
    key_results: dict


def analyse(
    adlb: pd.DataFrame, adsl: pd.DataFrame, adtte: pd.DataFrame, landmark_days: float
) -> MarkerModels:
    """Every marker Cox model (`marker_models`) with the numbers the paper quotes."""
    cox, remark = marker_models(adlb, adsl, adtte, landmark_days)
    return MarkerModels(cox, remark, key_results(cox))


def hr_text(hr: float, lower: float, upper: float) -> str:
    """A hazard ratio with its 95% CI, or NOT_ESTIMABLE when the model could not be fitted."""
    return NOT_ESTIMABLE if missing(hr) else with_interval(hr, lower, upper, Kind.HAZARD_RATIO)


def _variable_labels() -> Mapping[tuple[str, str], str]:
    return {(x.timepoint, x.kind): x.label for x in VARIABLES}


def _full_table(cox: pd.DataFrame) -> pd.DataFrame:
    """Every model as printed: HR per SD (95% CI), p, q, patients/events and the PH test p."""
    labels = _variable_labels()
    return pd.DataFrame(
        {
            "Endpoint": cox["paramcd"].map(ENDPOINTS),
            "Variable (cohort)": [
                labels[k] for k in zip(cox["timepoint"], cox["kind"], strict=True)
            ],
            "Marker": cox["marker"].map(marker_label),
            "Patients / events": [
                f"{n} / {e}" for n, e in zip(cox["n"], cox["events"], strict=True)
            ],
            "HR per SD (95% CI)": [
                hr_text(*r) for r in cox[["hr", "lower", "upper"]].itertuples(index=False)
            ],
            "p": cox["p"].map(p_value),
            "q": cox["q"].map(p_value),
            "PH test p": cox["ph_p"].map(p_value),
        }
    )


def cox_table(cox: pd.DataFrame) -> Table:
    """The marker Cox models: every model in the frame (the data supplement, one row per
    model), and the baseline models as the supplement prints them, one row per marker with
    the HR (95% CI) and q of each endpoint. The post-treatment and change models are in the
    frame and in the forest plot: 285 rows do not make a printed table."""
    baseline = cox[cox["kind"] == "value"]
    baseline = baseline[baseline["timepoint"] == "baseline"]
    rows = []
    for marker, group in baseline.groupby("marker", sort=False):
        by_endpoint = group.set_index("paramcd")
        row = {"Marker": marker_label(marker)}
        for paramcd, short in SHORT_ENDPOINTS.items():
            fit = by_endpoint.loc[paramcd]
            row[f"{short}: HR (95% CI)"] = hr_text(fit["hr"], fit["lower"], fit["upper"])
            row[f"{short}: q"] = p_value(fit["q"])
        rows.append(row)
    shown = pd.DataFrame(rows)
    sizes = "; ".join(
        f"{in_sentence(ENDPOINTS[paramcd])}, {_span(group['n'])} patients and "
        f"{_span(group['events'])} events"
        for paramcd, group in baseline.groupby("paramcd", sort=False)
    )
    caption = (
        "Univariable Cox models of the baseline value of every marker in the safety set: hazard "
        "ratio per standard deviation of the log2 value with its 95% CI, and the "
        "Benjamini-Hochberg q-value over all marker models (PFS, progression-free survival; "
        "OS, overall survival; LF, local failure of any nodule, cause-specific). Patients "
        f"and events, over the markers: {sizes}. The post-treatment values and changes "
        "(landmark cohort) are in the forest plot of the article; every model, with p, q and "
        "the test of proportional hazards, is in the data supplement marker_cox.csv."
    )
    align = "l" + "r" * (shown.shape[1] - 1)
    return Table(_full_table(cox), markdown_table(shown, align, caption, "tbl-marker-cox"))


def _span(values: pd.Series) -> str:
    low, high = int(values.min()), int(values.max())
    return str(low) if low == high else value_range(low, high)


def remark_table(remark: pd.DataFrame) -> Table:
    """The REMARK profile per endpoint and variable; counts that differ between the markers
    are shown as their range over the 19 markers."""
    labels = _variable_labels()
    rows = []
    for (paramcd, timepoint, kind), group in remark.groupby(
        ["paramcd", "timepoint", "kind"], sort=False
    ):
        row = {"Endpoint": ENDPOINTS[paramcd], "Variable (cohort)": labels[(timepoint, kind)]}
        row["Enrolled"] = _span(group["eligible"])
        row |= {label: _span(group[column]) for column, label in EXCLUSIONS.items()}
        row["Analysed"] = _span(group["analysed"])
        row["Events"] = _span(group["events"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    shown = first_only(frame, "Endpoint")
    return Table(frame, markdown_table(shown, "ll" + "r" * (frame.shape[1] - 2)))


def marker_tables(summary: pd.DataFrame, cox: pd.DataFrame, remark: pd.DataFrame) -> dict:
    """The supplement's marker tables by name: markers by timepoint, Cox models, REMARK."""
    return {
        "markers": summary_table(summary),
        "cox": cox_table(cox),
        "remark": remark_table(remark),
    }
