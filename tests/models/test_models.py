"""Prognostic models: no leakage, metrics against references, IPCW handling, paired splits,
determinism, and the gathered summaries."""

from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from lifelines.utils import concordance_index
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sksurv.metrics import (
    brier_score,
    concordance_index_censored,
    concordance_index_ipcw,
    integrated_brier_score,
)
from sksurv.util import Surv

from sbrtlung.models import cv, metrics, pipeline, summary
from sbrtlung.models.data import Cohort

YEAR, HORIZON = 365.25, 730.5
FOLDS = 3


def toy_cohort(n: int = 90, seed: int = 7, name: str = "landmark") -> Cohort:
    """Clinical, baseline-marker and dynamics columns with missing values and zeros; the
    first marker shortens survival."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in range(n)]
    marker = rng.lognormal(0.0, 0.7, n)
    X = pd.DataFrame(
        {
            "age": rng.normal(68, 8, n).round(),
            "ecog": rng.integers(0, 3, n).astype(float),
            "m1_baseline": marker,
            "m2_baseline": np.where(rng.random(n) < 0.1, 0.0, rng.lognormal(0, 1, n)),
            "m1_change_one_month": rng.normal(0, 0.5, n),
        },
        index=pd.Index(ids, name="USUBJID"),
    )
    X.iloc[rng.choice(n, 6, replace=False), 2] = np.nan
    X.iloc[rng.choice(n, 5, replace=False), 4] = np.nan
    latent = rng.exponential(900 / marker)
    censor = rng.uniform(200, 1400, n)
    time = np.ceil(np.minimum(latent, censor))
    groups = {"age": "clinical", "ecog": "clinical", "m1_baseline": "baseline"}
    groups |= {"m2_baseline": "baseline", "m1_change_one_month": "dynamics"}
    return Cohort("PFS", name, X, time, latent <= censor, MappingProxyType(groups))


def run(cohort: Cohort, repeat: int = 1) -> cv.RepeatResult:
    return cv.run_repeat(
        [cohort], repeat, folds=FOLDS, seed=11, year_days=YEAR, horizon_days=HORIZON
    )


class Recorder:
    """Shared log of the rows every spy saw; survives scikit-learn's clone (deepcopy)."""

    def __init__(self):
        self.events: list[tuple[str, frozenset]] = []

    def __deepcopy__(self, memo):
        return self


class Spy(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Identity step that records the rows it is fitted on and the rows it transforms."""

    def __init__(self, recorder=None):
        self.recorder = recorder

    def fit(self, X, y=None):
        self.recorder.events.append(("fit", frozenset(X.index)))
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        self.recorder.events.append(("transform", frozenset(X.index)))
        return X


@pytest.fixture()
def spied(monkeypatch):
    """Every pipeline the CV builds starts with a Spy sharing one Recorder."""
    recorder = Recorder()
    build = pipeline.build

    def build_with_spy(spec, groups):
        model = build(spec, groups)
        model.steps.insert(0, ("spy", Spy(recorder)))
        return model

    monkeypatch.setattr(pipeline, "build", build_with_spy)
    return recorder


def test_no_step_ever_sees_the_outer_test_fold(spied):
    cohort = toy_cohort()
    run(cohort)
    ids = cohort.X.index.to_numpy()
    outer = cv.splits(cohort.event, FOLDS, cv.derived_seed(11, 1))
    fits_per_fold = 1 + FOLDS  # the outer path fit, then one fit per inner fold
    chunks, current = [], None
    for kind, rows in spied.events:
        if kind == "fit":
            if current is None or current["fits"] == fits_per_fold:
                current = {"fits": 0, "fit_rows": [], "transforms": []}
                chunks.append(current)
            current["fits"] += 1
            current["fit_rows"].append(rows)
        current["transforms"].append((current["fits"], rows))
    models = [m for m in pipeline.MODELS if cohort.name in m.cohorts]
    assert len(chunks) == len(models) * FOLDS
    for k, chunk in enumerate(chunks):
        train, test = outer[k % FOLDS]
        train_ids, test_ids = set(ids[train]), set(ids[test])
        assert chunk["fit_rows"][0] == train_ids  # the refit uses the whole training part
        for rows in chunk["fit_rows"]:
            assert rows <= train_ids and not rows & test_ids
        for inner in chunk["fit_rows"][1:]:
            assert len(inner) < len(train_ids)
        for fits_done, rows in chunk["transforms"]:
            if rows & test_ids:  # the test fold is only ever predicted, after selection
                assert fits_done == fits_per_fold and rows <= test_ids


def test_log2_floor_and_medians_come_from_training_rows():
    cohort = toy_cohort()
    spec = pipeline.MODEL_BY_NAME["clinical_markers"]
    model = pipeline.build(spec, cohort.groups)
    train = np.arange(60)
    model.fit(cohort.X.iloc[train], cohort.y[train])
    m2 = cohort.X["m2_baseline"].iloc[train]
    floor = model.named_steps["select"].named_transformers_["baseline"].floor_
    assert floor[1] == m2[m2 > 0].min() / 2
    log_m1 = np.log2(cohort.X["m1_baseline"].iloc[train])
    names = list(model[:-1].get_feature_names_out())
    median = model.named_steps["impute"].statistics_[names.index("m1_baseline")]
    assert median == pytest.approx(np.nanmedian(log_m1))


def test_harrell_c_equals_lifelines_on_a_fold_with_ties():
    rng = np.random.default_rng(3)
    time = rng.integers(1, 40, 80).astype(float)  # many tied times
    event = rng.random(80) < 0.6
    risks = np.column_stack([rng.integers(0, 6, 80), rng.normal(size=80)]).astype(float)
    path = metrics.harrell_c_path(time, event, risks)
    for k in range(risks.shape[1]):
        reference = concordance_index(time, -risks[:, k], event)  # lifelines: higher = longer
        assert metrics.harrell_c(time, event, risks[:, k]) == pytest.approx(reference, abs=1e-12)
        assert path[k] == pytest.approx(reference, abs=1e-12)
        assert path[k] == pytest.approx(concordance_index_censored(event, time, risks[:, k])[0])


def test_harrell_c_is_missing_without_events():
    assert np.isnan(metrics.harrell_c([1.0, 2.0], [False, False], [0.1, 0.2]))
    assert np.isnan(metrics.harrell_c_path([1.0, 2.0], [False, False], np.ones((2, 3)))).all()


def test_ipcw_metrics_on_a_fold_followed_beyond_training():
    rng = np.random.default_rng(5)
    train_time = rng.uniform(10, 500, 60)
    train_event = rng.random(60) < 0.5
    train_time[np.argmax(train_time)] = 500.0
    train_event[np.argmax(train_time)] = False  # censoring survival drops to 0 at 500
    test_time = np.array([50.0, 120, 200, 300, 380, 450, 600, 800, 900, 1000])
    test_event = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 0], dtype=bool)
    risk = -test_time / 100  # perfectly ordered
    train = Surv.from_arrays(train_event, train_time)
    with pytest.raises(ValueError):  # what the explicit handling avoids
        concordance_index_ipcw(train, Surv.from_arrays(test_event, test_time), risk)

    capped, kept = metrics.administrative_censoring(test_time, test_event, 500.0)
    assert capped.max() == 500.0 and not kept[test_time >= 500].any()
    result = metrics.fold_metrics(
        train_time,
        train_event,
        test_time,
        test_event,
        risk,
        lambda times: np.exp(-np.outer(np.exp(risk), times) / 1000),
        year_days=YEAR,
        horizon_days=HORIZON,
    )
    assert result["cap_days"] == 500.0 and result["limit_days"] == 500.0
    assert result["harrell_c"] == 1.0  # Harrell's C uses the whole follow-up
    assert np.isnan(result["uno_c"]) and np.isnan(result["auc_2y"]) and np.isnan(result["ibs"])
    # 1 year lies inside the training follow-up: evaluated on the capped test fold
    assert result["auc_1y"] == 1.0


def late_fold():
    """A training part whose censoring survival G steps at 200 (to 3/4), 400 (to 3/8) and 900
    (to 0), and a test fold whose first time, 500 days, lies late in the 2-year span."""
    train = Surv.from_arrays(
        np.array([True, False, True, False, False]), np.array([100.0, 200, 300, 400, 900])
    )
    time, event = np.array([500.0, 600, 800]), np.array([True, False, True])
    rate = np.array([0.002, 0.001, 0.0015])
    return train, time, event, lambda t: np.exp(-np.outer(rate, t))


def test_integrated_brier_covers_the_whole_span_in_a_fold_that_starts_late():
    train, time, event, survival = late_fold()
    grid = metrics.ibs_grid(HORIZON)

    def censoring(t):
        return 1.0 if t < 200 else 0.75 if t < 400 else 0.375

    def score(t):  # Graf et al.: cases S^2 / G(T), controls (1 - S)^2 / G(t), by hand
        s = survival(np.array([t]))[:, 0]
        total = 0.0
        for i in range(3):
            if time[i] <= t and event[i]:
                total += s[i] ** 2 / censoring(time[i])
            elif time[i] > t:
                total += (1 - s[i]) ** 2 / censoring(t)
        return total / 3

    by_hand = np.trapezoid([score(t) for t in grid], grid) / HORIZON
    assert metrics.integrated_brier(train, time, event, survival(grid), grid) == pytest.approx(
        by_hand, rel=1e-12
    )
    result = metrics.fold_metrics(
        train["time"], train["event"], time, event, np.zeros(3), survival,
        year_days=YEAR, horizon_days=HORIZON,
    )  # fmt: skip
    assert result["ibs"] == pytest.approx(by_hand, rel=1e-12)
    # The old span, from the first test time only, is a different number.
    late = grid[grid >= time.min()]
    assert np.trapezoid([score(t) for t in late], late) / (late[-1] - late[0]) != pytest.approx(
        by_hand
    )


def test_brier_scores_equal_scikit_survival_where_both_are_defined():
    rng = np.random.default_rng(11)
    train = Surv.from_arrays(rng.random(80) < 0.6, rng.uniform(5, 900, 80))
    time, event = rng.uniform(50, 850, 40), rng.random(40) < 0.5
    grid = np.linspace(time.min(), min(time.max(), train["time"].max()) - 1, 30)
    predicted = np.exp(-np.outer(rng.uniform(0.0005, 0.003, 40), grid))
    test = Surv.from_arrays(event, time)
    _, expected = brier_score(train, test, predicted, grid)
    ours = metrics.brier_scores(train, time, event, predicted, grid)
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    assert metrics.integrated_brier(train, time, event, predicted, grid) == pytest.approx(
        integrated_brier_score(train, test, predicted, grid), rel=1e-12
    )


def test_missing_folds_are_counted_in_the_summary():
    rows = []
    for repeat in (1, 2):
        for fold in (1, 2):
            for model in ("clinical", "clinical_markers"):
                value = 0.6 if model == "clinical" else 0.7
                rows.append(
                    {"endpoint": "PFS", "cohort": "full", "model": model, "repeat": repeat}
                    | {"fold": fold, "n_train": 50, "n_test": 50}
                    | {"events_train": 20, "events_test": 20}
                    | dict.fromkeys(metrics.METRICS, value)
                    | {"auc_2y": np.nan if fold == 2 else value + repeat / 100}
                )
    fold_metrics = pd.DataFrame(rows)
    perf = summary.performance(fold_metrics).set_index(["model", "metric"])
    assert perf.loc[("clinical", "auc_2y"), "folds_missing"] == 2
    assert perf.loc[("clinical", "auc_2y"), "mean"] == pytest.approx(0.615)
    assert perf.loc[("clinical", "harrell_c"), "folds_missing"] == 0
    assert perf.loc[("clinical", "harrell_c"), "n"] == 100
    gain = summary.gains(fold_metrics).set_index("metric")
    assert gain.loc["harrell_c", "mean"] == pytest.approx(0.1)
    assert gain.loc["auc_2y", "folds_missing"] == 2


def test_all_models_of_a_repeat_share_identical_splits():
    cohort = toy_cohort()
    predictions = run(cohort).predictions
    folds = predictions.pivot_table(index="USUBJID", columns="model", values="fold")
    assert len(folds) == len(cohort.X)
    for model in folds.columns:
        assert (folds[model] == folds["clinical"]).all()
    per_fold = predictions[predictions["model"] == "clinical"].groupby("fold")["event"]
    events = per_fold.sum().to_numpy()
    assert events.max() - events.min() <= 1  # stratified by event


def test_a_repeat_is_deterministic_and_repeats_differ():
    cohort = toy_cohort(n=60)
    first, again, other = run(cohort, 1), run(cohort, 1), run(cohort, 2)
    for name in ("metrics", "coefficients", "predictions"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name), check_exact=True)
    key = ["model", "USUBJID"]
    fold = first.predictions.set_index(key)["fold"]
    assert (fold != other.predictions.set_index(key)["fold"].reindex(fold.index)).any()


def test_repeat_zero_is_reserved_for_the_final_model():
    with pytest.raises(ValueError):
        run(toy_cohort(n=40), 0)


def test_final_model_keeps_the_marker_and_reports_every_predictor():
    cohort = toy_cohort(n=150, name="full")
    final = cv.final_models([cohort], folds=FOLDS, seed=11)
    markers = final[final["model"] == "clinical_markers"].set_index("predictor")
    assert list(markers.index) == ["age", "ecog", "m1_baseline", "m2_baseline"]
    assert markers.loc["m1_baseline", "coefficient"] > 0
    assert markers.loc["m1_baseline", "hazard_ratio_per_sd"] > 1


def test_calibration_tertiles_use_the_mean_prediction_per_patient():
    n = 30
    predictions = pd.DataFrame(
        {
            "endpoint": "OS",
            "cohort": "full",
            "model": "clinical",
            "repeat": np.repeat([1, 2], n),
            "USUBJID": np.tile([f"P{i:02d}" for i in range(n)], 2),
            "time": np.tile(np.linspace(100, 1000, n), 2),
            "event": np.tile(np.arange(n) % 2 == 0, 2),
            "risk_horizon": np.concatenate([np.linspace(0.9, 0.1, n), np.linspace(0.7, 0.1, n)]),
        }
    )
    table = summary.calibration(predictions, HORIZON)
    assert list(table["tertile"]) == [1, 2, 3] and list(table["n"]) == [10, 10, 10]
    assert table["predicted"].is_monotonic_increasing
    low, top = table.iloc[0], table.iloc[2]
    assert low["lower"] <= low["observed"] <= low["upper"]
    assert np.isnan(top["observed"])  # nobody of the top tertile is followed to 2 years


def test_calibration_without_predicted_risks_at_the_horizon_has_no_tertiles():
    """An interim cut before anyone could reach the horizon: every risk at it is missing."""
    predictions = pd.DataFrame(
        {
            "endpoint": "OS",
            "cohort": "full",
            "model": "clinical",
            "repeat": 1,
            "USUBJID": [f"P{i:02d}" for i in range(6)],
            "time": np.linspace(50, 300, 6),
            "event": [True, False] * 3,
            "risk_horizon": np.nan,
        }
    )
    table = summary.calibration(predictions, HORIZON)
    assert table.empty and list(table.columns) == summary.CALIBRATION_COLUMNS


def test_a_model_without_its_predictors_or_enough_events_is_skipped():
    """No marker column (no lab value exported): only the clinical model; too few events for
    nested K-fold CV: no model of that cohort, and the summaries name them as missing."""
    assert not cv.estimable(np.array([True, True, False]), 5)  # 2 - 1 < 2
    assert cv.estimable(np.array([True, True, True, False]), 5)  # 3 - 1 = 2
    assert not cv.estimable(np.array([True] * 3), 2) and cv.estimable(np.array([True] * 4), 2)
    full = toy_cohort(name="full")
    clinical_only = Cohort(
        full.endpoint,
        full.name,
        full.X[["age", "ecog"]],
        full.time,
        full.event,
        MappingProxyType({"age": "clinical", "ecog": "clinical"}),
    )
    no_event = Cohort("OS", "full", full.X, full.time, np.zeros_like(full.event), full.groups)
    assert [(c.endpoint, m.name) for c, m in cv.analyses([clinical_only, no_event], FOLDS)] == [
        ("PFS", "clinical")
    ]
    result = cv.run_repeat(
        [no_event], 1, folds=FOLDS, seed=11, year_days=YEAR, horizon_days=HORIZON
    )
    assert result.metrics.empty and list(result.metrics.columns) == cv.METRIC_COLUMNS
    performance = summary.performance(result.metrics)
    gains = summary.gains(result.metrics)
    assert performance.empty and gains.empty
    entry = summary.key_results(performance, gains)["models"]["OS"]["clinical"]["harrell_c"]
    assert np.isnan(entry["mean"]) and np.isnan(entry["range_cv"]).all()
    assert entry["kind"] == "c_statistic"
