"""The three prognostic models and their scikit-learn pipeline (SAP 4).

A model is a set of predictor groups (clinical, baseline markers, dynamics) and one pipeline:
a ColumnTransformer that keeps the model's columns and log2-transforms the baseline marker
values (the dynamics are log2 ratios already), median imputation, standardisation, and the
elastic-net Cox model. Every step that learns from data (the zero floor of the log, the
medians, the means and SDs, the coefficients) is fitted by ``Pipeline.fit``, so inside the
cross-validation it only ever sees the rows it is fitted on.

A zero marker value is raised to half the smallest positive value of that marker in the
training rows before the log, so it stays the lowest value without becoming -inf. A column
with no observed value in the training rows is kept (imputed 0, so constant) and can never
be selected; the number of coefficients stays the same in every fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data
from sksurv.linear_model import CoxnetSurvivalAnalysis

# Elastic net: equal weight of the lasso and ridge penalties, a path of N_ALPHAS penalties
# from the smallest that zeroes every coefficient down to ALPHA_MIN_RATIO times it.
L1_RATIO = 0.5
N_ALPHAS = 50
ALPHA_MIN_RATIO = 0.01


@dataclass(frozen=True)
class ModelSpec:
    """A prognostic model: its predictor groups and the cohorts it is evaluated in (its
    natural cohort first: all patients, or the landmark cohort for the dynamics)."""

    name: str
    label: str
    groups: tuple[str, ...]
    cohorts: tuple[str, ...]


MODELS = (
    ModelSpec("clinical", "Clinical", ("clinical",), ("full", "landmark")),
    ModelSpec(
        "clinical_markers", "Clinical + markers", ("clinical", "baseline"), ("full", "landmark")
    ),
    ModelSpec(
        "clinical_markers_dynamics",
        "Clinical + markers + dynamics",
        ("clinical", "baseline", "dynamics"),
        ("landmark",),
    ),
)
MODEL_BY_NAME = {m.name: m for m in MODELS}
REFERENCE = "clinical"


class Log2(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """log2 of non-negative values; zeros become half the smallest positive training value.

    Missing values stay missing (imputed afterwards, on the log scale). A column without a
    positive training value gets floor 1 (log2 = 0), irrelevant as it is constant anyway.
    """

    def fit(self, X, y=None):
        values = validate_data(self, X, ensure_all_finite="allow-nan", dtype=float)
        if np.any(values < 0):
            raise ValueError("marker values must be non-negative")
        smallest = np.where(values > 0, values, np.inf).min(axis=0)
        self.floor_ = np.where(np.isfinite(smallest), smallest / 2, 1.0)
        return self

    def transform(self, X):
        check_is_fitted(self, "floor_")
        values = validate_data(self, X, ensure_all_finite="allow-nan", dtype=float, reset=False)
        return np.log2(np.maximum(values, self.floor_))


def coxnet() -> CoxnetSurvivalAnalysis:
    """The elastic-net Cox model with the fixed mixing and path settings of this module."""
    return CoxnetSurvivalAnalysis(
        l1_ratio=L1_RATIO,
        n_alphas=N_ALPHAS,
        alpha_min_ratio=ALPHA_MIN_RATIO,
        fit_baseline_model=True,
    )


def build(spec: ModelSpec, groups: Mapping[str, str]) -> Pipeline:
    """The unfitted pipeline of model `spec` on a cohort whose columns belong to `groups`.

    The ColumnTransformer picks the model's columns and log-transforms the baseline marker
    values; imputation and scaling then apply to every column alike.
    """
    columns = {g: [c for c, group in groups.items() if group == g] for g in spec.groups}
    steps = [
        (group, Log2() if group == "baseline" else "passthrough", columns[group])
        for group in spec.groups
    ]
    return Pipeline(
        [
            ("select", ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("coxnet", coxnet()),
        ]
    )


def on_path(pipeline: Pipeline, alphas: np.ndarray) -> Pipeline:
    """An unfitted copy that fits the Cox model on a given penalty path.

    The inner folds refit on the outer training part's path, without the survival baseline
    that only the outer model needs.
    """
    return clone(pipeline).set_params(
        coxnet__alphas=np.asarray(alphas, dtype=float), coxnet__fit_baseline_model=False
    )
