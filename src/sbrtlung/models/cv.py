"""Nested cross-validation of one repeat, and the final refit on all patients (SAP 4).

One repeat = one outer stratified K-fold partition of each cohort (strata: event or not),
drawn from a seed derived from the workflow seed and the repeat number, shared by every
model of the cohort, so that differences between models are paired on identical splits.

In each outer fold, for each model, on the outer training part only:

1. the pipeline is fitted with its automatic penalty path (`pipeline.coxnet`); this fixes
   the path of penalties alpha and is also the refitted outer model (the path on the whole
   outer training part, read at the alpha chosen next);
2. the inner stratified K-fold CV (same K, seed derived from seed, repeat and fold) refits
   the pipeline on each inner training part on that same path and scores every alpha by
   Harrell's C on the inner validation part; the alpha with the highest mean C over the
   inner folds is chosen (ties: the larger alpha, the sparser model; an inner fold without
   a comparable pair does not count);
3. the outer model at the chosen alpha predicts the outer test part: risk scores for the
   metrics and the out-of-fold risk of an event by the horizon, 1 - S(horizon | x), for
   the calibration (missing when the horizon is beyond the training follow-up: not
   estimable, `estimators.estimable_at`, and scikit-survival would refuse it).

The final model uses the same selection with all patients as the "training part" and the
inner seed of repeat 0 (repeats are numbered from 1).

A model is skipped where it cannot be estimated: when its predictor groups have no column
(no blood-marker value was exported), or when the cohort has too few events for every
outer and inner training part to hold two (`estimable`). Its rows are then absent, and the
summaries report it as not estimable.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sksurv.linear_model import CoxnetSurvivalAnalysis

from sbrtlung.analysis.estimators import estimable_at
from sbrtlung.logs import progress
from sbrtlung.models import metrics, pipeline
from sbrtlung.models.data import Cohort
from sbrtlung.models.pipeline import ModelSpec

FINAL_REPEAT = 0
# Columns of the tables of one repeat (and of the final models), so that a repeat in which
# no model could be estimated still writes its header.
METRIC_COLUMNS = [
    "endpoint", "cohort", "model", "repeat", "fold", "n_train", "events_train", "n_test",
    "events_test", "alpha", "n_selected", *metrics.METRICS, "cap_days", "limit_days",
]  # fmt: skip
COEFFICIENT_COLUMNS = [
    "endpoint", "cohort", "model", "repeat", "fold", "predictor", "group", "coefficient",
]  # fmt: skip
PREDICTION_COLUMNS = [
    "endpoint", "cohort", "model", "repeat", "fold", "USUBJID", "time", "event", "risk_score",
    "risk_horizon",
]  # fmt: skip
FINAL_COLUMNS = [
    "endpoint", "cohort", "model", "predictor", "group", "coefficient", "hazard_ratio_per_sd",
    "selected", "alpha", "n", "events",
]  # fmt: skip


def derived_seed(*keys: int) -> int:
    """A 32-bit seed from the workflow seed and the repeat (and fold) numbers."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1)[0])


def splits(event: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified (by event) shuffled K-fold (train, test) positions."""
    event = np.asarray(event, dtype=bool)
    kfold = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(kfold.split(np.zeros((event.size, 1)), event))


@dataclass(frozen=True)
class Selection:
    """A model fitted on its training rows, read at the penalty chosen by the inner CV."""

    model: Pipeline
    alpha: float

    @property
    def coef(self) -> np.ndarray:
        """Coefficients at the chosen alpha, per SD of each prepared predictor."""
        cox = self.model[-1]
        return cox.coef_[:, int(np.flatnonzero(cox.alphas_ == self.alpha)[0])]

    @property
    def predictors(self) -> list[str]:
        return list(self.model[:-1].get_feature_names_out())

    def risk(self, X: pd.DataFrame) -> np.ndarray:
        """Linear predictor (higher = worse) at the chosen alpha."""
        return self.model.predict(X, alpha=self.alpha)

    def survival(self, X: pd.DataFrame, times: np.ndarray) -> np.ndarray:
        """Predicted survival, one row per subject, one column per time."""
        functions = self.model.predict_survival_function(X, alpha=self.alpha)
        return np.vstack([f(np.asarray(times, dtype=float)) for f in functions])


def _fit(model: Pipeline, X: pd.DataFrame, y: np.ndarray) -> Pipeline:
    """Fit quietly: a path whose largest alphas zero every coefficient warns by design."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="all coefficients are zero")
        return model.fit(X, y)


def path_coef(cox: CoxnetSurvivalAnalysis, alphas: np.ndarray) -> np.ndarray:
    """Coefficients (columns) at each of `alphas`, the path the model was fitted on.

    The path stops early once the fit saturates; the smaller alphas then keep its last
    coefficients, as `CoxnetSurvivalAnalysis.predict` does.
    """
    fitted = cox.alphas_.size
    if not np.array_equal(cox.alphas_, alphas[:fitted]):
        raise ValueError("the model was not fitted on this penalty path")
    return cox.coef_[:, np.minimum(np.arange(alphas.size), fitted - 1)]


def select(spec: ModelSpec, cohort: Cohort, rows: np.ndarray, folds: int, seed: int) -> Selection:
    """Fit `spec` on the cohort's `rows` and choose its penalty by inner CV on them only."""
    X, y = cohort.X.iloc[rows], cohort.y[rows]
    outer = _fit(pipeline.build(spec, cohort.groups), X, y)
    alphas = outer[-1].alphas_
    scores = []
    for train, valid in splits(cohort.event[rows], folds, seed):
        inner = _fit(pipeline.on_path(outer, alphas), X.iloc[train], y[train])
        risks = inner[:-1].transform(X.iloc[valid]) @ path_coef(inner[-1], alphas)
        scores.append(metrics.harrell_c_path(y["time"][valid], y["event"][valid], risks))
    scores = np.vstack(scores)
    if np.isnan(scores).all():
        raise ValueError(f"{cohort.endpoint} {cohort.name}: no inner fold can be scored")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Mean of empty slice")
        inner_c = np.nanmean(scores, axis=0)
    best = int(np.nanargmax(inner_c))  # first maximum: the largest alpha among ties
    return Selection(outer, float(alphas[best]))


@dataclass(frozen=True)
class RepeatResult:
    """Long tables of one repeat: fold metrics, outer coefficients, out-of-fold risks."""

    metrics: pd.DataFrame
    coefficients: pd.DataFrame
    predictions: pd.DataFrame


def estimable(event: np.ndarray, folds: int) -> bool:
    """Whether stratified K-fold CV nested in K-fold CV keeps two events in every training
    part: an outer test fold holds at most ceil(events / K) of them, and an inner training
    part then still has one. Fewer events and the Cox fit has none to learn from."""
    events = int(np.sum(event))
    return events - math.ceil(events / folds) >= 2


def analyses(cohorts: list[Cohort], folds: int) -> list[tuple[Cohort, ModelSpec]]:
    """Every (cohort, model) pair that can be estimated (module docstring), in output order."""
    return [
        (c, spec)
        for c in cohorts
        for spec in pipeline.MODELS
        if c.name in spec.cohorts
        and all(c.columns((group,)) for group in spec.groups)
        and estimable(c.event, folds)
    ]


def _frame(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def run_repeat(
    cohorts: list[Cohort],
    repeat: int,
    *,
    folds: int,
    seed: int,
    year_days: float,
    horizon_days: float,
) -> RepeatResult:
    """Outer CV of every model of every cohort for one repeat (see the module docstring)."""
    if repeat == FINAL_REPEAT:
        raise ValueError(f"repeat {FINAL_REPEAT} is reserved for the final model")
    metric_rows, coef_rows, prediction_rows = [], [], []
    outer = {id(c): splits(c.event, folds, derived_seed(seed, repeat)) for c in cohorts}
    fits = [
        (cohort, spec, fold, train, test)
        for cohort, spec in analyses(cohorts, folds)
        for fold, (train, test) in enumerate(outer[id(cohort)], start=1)
    ]
    for cohort, spec, fold, train, test in progress(fits, f"repeat {repeat}: outer fits"):
        key = {"endpoint": cohort.endpoint, "cohort": cohort.name, "model": spec.name}
        chosen = select(spec, cohort, train, folds, derived_seed(seed, repeat, fold))
        X_test = cohort.X.iloc[test]
        risk = chosen.risk(X_test)
        scores = metrics.fold_metrics(
            cohort.time[train],
            cohort.event[train],
            cohort.time[test],
            cohort.event[test],
            risk,
            lambda times, X=X_test, m=chosen: m.survival(X, times),
            year_days=year_days,
            horizon_days=horizon_days,
        )
        risk_h = (
            1 - chosen.survival(X_test, [horizon_days])[:, 0]
            if estimable_at(cohort.time[train], horizon_days)
            else np.full(test.size, np.nan)
        )
        coef = chosen.coef
        fold_key = key | {"repeat": repeat, "fold": fold}
        metric_rows.append(
            fold_key
            | {
                "n_train": train.size,
                "events_train": int(cohort.event[train].sum()),
                "n_test": test.size,
                "events_test": int(cohort.event[test].sum()),
                "alpha": chosen.alpha,
                "n_selected": int(np.count_nonzero(coef)),
            }
            | scores
        )
        coef_rows.append(
            pd.DataFrame(
                fold_key
                | {
                    "predictor": chosen.predictors,
                    "group": [cohort.groups[p] for p in chosen.predictors],
                    "coefficient": coef,
                }
            )
        )
        prediction_rows.append(
            pd.DataFrame(
                fold_key
                | {
                    "USUBJID": cohort.X.index[test],
                    "time": cohort.time[test],
                    "event": cohort.event[test],
                    "risk_score": risk,
                    "risk_horizon": risk_h,
                }
            )
        )
    return RepeatResult(
        pd.DataFrame(metric_rows, columns=METRIC_COLUMNS),
        _frame(coef_rows, COEFFICIENT_COLUMNS),
        _frame(prediction_rows, PREDICTION_COLUMNS),
    )


def final_models(cohorts: list[Cohort], *, folds: int, seed: int) -> pd.DataFrame:
    """Each model refitted on all patients of its cohort, penalty chosen by CV on them.

    One row per predictor: the coefficient per SD of the prepared predictor (log2 scale for
    the markers), its hazard ratio, and the chosen alpha.
    """
    frames = []
    for cohort, spec in progress(analyses(cohorts, folds), "final models"):
        everyone = np.arange(cohort.time.size)
        chosen = select(spec, cohort, everyone, folds, derived_seed(seed, FINAL_REPEAT))
        coef = chosen.coef
        frames.append(
            pd.DataFrame(
                {
                    "endpoint": cohort.endpoint,
                    "cohort": cohort.name,
                    "model": spec.name,
                    "predictor": chosen.predictors,
                    "group": [cohort.groups[p] for p in chosen.predictors],
                    "coefficient": coef,
                    "hazard_ratio_per_sd": np.exp(coef),
                    "selected": coef != 0,
                    "alpha": chosen.alpha,
                    "n": cohort.time.size,
                    "events": int(cohort.event.sum()),
                }
            )
        )
    return _frame(frames, FINAL_COLUMNS)
