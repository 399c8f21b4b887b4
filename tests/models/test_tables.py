"""The prognostic models' tables (sbrtlung.models.tables) and figures (sbrtlung.figures.models)
from hand-made summaries: every cell as printed, predictors in words, the TRIPOD+AI report."""

import re
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from sbrtlung.figures import models as model_figures
from sbrtlung.models import tables
from sbrtlung.models.data import Cohort
from sbrtlung.models.metrics import METRICS
from sbrtlung.models.pipeline import MODELS
from sbrtlung.study import Horizon

DASH, MINUS, TO = "\u2013", "\u2212", "\u00a0to\u00a0"

HORIZON = Horizon(730.5, 365.25, 30.4375)


def cohort(endpoint: str, name: str, n: int = 12) -> Cohort:
    rng = np.random.default_rng(3)
    columns = {"age": "clinical", "ecog": "clinical", "nlr_baseline": "baseline"}
    columns |= {"crp_baseline": "baseline"}
    if name == "landmark":
        columns |= {"nlr_change_one_month": "dynamics"}
    X = pd.DataFrame({c: rng.normal(size=n) for c in columns})
    X.iloc[:2, X.columns.get_loc("nlr_baseline")] = np.nan  # 2 of n missing
    event = np.arange(n) % 3 == 0
    return Cohort(endpoint, name, X, np.arange(1, n + 1) * 30.0, event, MappingProxyType(columns))


def cohorts() -> list[Cohort]:
    return [
        cohort(e, c, 12 if c == "full" else 9) for e in ("PFS", "OS") for c in ("full", "landmark")
    ]


def performance() -> pd.DataFrame:
    rows = []
    for endpoint in ("PFS", "OS"):
        for spec in MODELS:
            for cohort_name in spec.cohorts:
                n, events = (12, 4) if cohort_name == "full" else (9, 3)
                for i, metric in enumerate(METRICS):
                    mean = 0.6 + 0.01 * i
                    rows.append(
                        {
                            "endpoint": endpoint,
                            "cohort": cohort_name,
                            "model": spec.name,
                            "metric": metric,
                            "mean": mean,
                            "lower": mean - 0.05,
                            "upper": mean + 0.04,
                            "n": n,
                            "events": events,
                        }
                    )
    return pd.DataFrame(rows)


def gains() -> pd.DataFrame:
    rows = []
    for endpoint in ("PFS", "OS"):
        for metric in METRICS:
            rows.append(
                {
                    "endpoint": endpoint,
                    "cohort": "full",
                    "model": "clinical_markers",
                    "reference": "clinical",
                    "metric": metric,
                    "mean": 0.064,
                    "lower": -0.0341,
                    "upper": 0.1232,
                }
            )
    return pd.DataFrame(rows)


def calibration() -> pd.DataFrame:
    rows = []
    for endpoint in ("PFS", "OS"):
        for tertile in (1, 2, 3):
            rows.append(
                {
                    "endpoint": endpoint,
                    "cohort": "full",
                    "model": "clinical",
                    "tertile": tertile,
                    "predicted": 0.1 * tertile,
                    "observed": 0.1 * tertile + 0.02,
                    "lower": 0.05 * tertile,
                    "upper": 0.15 * tertile + 0.05,
                }
            )
    return pd.DataFrame(rows)


def calibration_slope() -> pd.DataFrame:
    rows = [
        {
            "endpoint": e,
            "cohort": "full",
            "model": "clinical",
            "measure": m,
            "mean": 0.84,
            "lower": 0.512,
            "upper": 1.3,
            "n_repeats": 20,
        }
        for e in ("PFS", "OS")
        for m in ("slope", "oe_ratio")
    ]
    return pd.DataFrame(rows)


def test_models_table_heads_each_cohort_once_and_signs_the_gains():
    table = tables.models_table(performance(), gains(), calibration_slope(), HORIZON)
    frame = table.frame
    assert list(frame.columns[:5]) == ["Endpoint", "Cohort", "n", "Events", "Model"]
    clinical = frame[(frame["Endpoint"] == "PFS") & (frame["Cohort"] == "full")].iloc[0]
    assert (
        clinical["Model"] == "Clinical" and clinical["Harrell's C"] == f"0.600 (0.550{DASH}0.640)"
    )
    assert clinical["Slope"] == clinical["O/E"] == f"0.84 (0.51{DASH}1.30)"
    gain = frame[frame["Model"].str.startswith("Gain")].iloc[0]
    assert gain["Model"] == "Gain, clinical + markers vs clinical" and gain["Slope"] == ""
    assert gain["Harrell's C"] == f"+0.064 ({MINUS}0.034{TO}0.123)"
    heads = re.findall(r"^\| \*\*(.+?)\*\* \|", table.markdown, re.MULTILINE)
    assert heads[0] == "Progression-free survival, all patients (n = 12, 4 events)"
    assert len(heads) == frame.groupby(["Endpoint", "Cohort"]).ngroups
    assert "All patients (n = 12" not in table.markdown.split("\n", 2)[2]  # no cohort per row


def test_tripod_tables_print_predictors_in_words_and_shared_methods_once():
    table = tables.tripod_table(
        cohorts(),
        performance(),
        calibration(),
        calibration_slope(),
        folds=5,
        repeats=20,
        landmark_days=61,
        horizon=HORIZON,
    )
    assert "{#tbl-tripod-methods}" in table.markdown and "{#tbl-tripod}" in table.markdown
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", table.markdown)  # no column names
    methods = table.frame[table.frame["part"] == "methods"].set_index("Item")
    assert (
        methods.loc["Clinical", "Description"]
        == "2 predictors, as recorded: age, ECOG performance status"
    )
    assert methods.loc["Tuning", "Description"].startswith("Penalty chosen by the highest mean")
    results = table.frame[table.frame["part"] == "by endpoint"]
    missing = results[results["Item"] == "NLR, baseline"].iloc[0]
    assert missing["Progression-free survival"] == "2 (16.7%)"
    assert missing["Section"] == "Missing data, n (%)"
    assert table.markdown.count("| Missing data, n (%) |") == 1  # the section heads its rows
    dynamics = results[results["Item"] == "NLR, change to one month"]
    assert dynamics.iloc[0]["Overall survival"] == "0 (0.0%)"
    tertile = results[results["Item"].str.contains("tertile 2")].iloc[0]
    expected = f"predicted 20.0%, observed 22.0% (10.0{DASH}35.0)"
    assert tertile["Overall survival"] == expected
    slope = results[results["Item"] == "Calibration slope: clinical, all patients"].iloc[0]
    assert slope["Section"] == "Calibration" and slope["Overall survival"].startswith("0.84")


def test_predictor_labels_refuse_an_unknown_column():
    assert tables.predictor_label("lowest_bed10") == "Lowest BED10"
    assert tables.predictor_label("cyfra21_1_change_end_of_treatment") == (
        "CYFRA 21-1, change to end of treatment"
    )
    with pytest.raises(KeyError, match="no label"):
        tables.predictor_label("mystery")


def test_model_figures_draw_every_model_and_tertile():
    perf = performance()
    repeats = perf.assign(repeat=1, value=perf["mean"])[
        ["endpoint", "cohort", "model", "metric", "repeat", "value"]
    ]
    fig = model_figures.performance_figure(perf, repeats, HORIZON)
    assert len(fig.axes) == len(METRICS) * 2
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["Progression-free survival", "Overall survival"]
    calib = model_figures.calibration_figure(calibration(), HORIZON)
    marker = model_figures.MARKERS["clinical"]
    drawn = [line for ax in calib.axes for line in ax.get_lines() if line.get_marker() == marker]
    assert sum(len(line.get_xdata()) for line in drawn) == len(calibration())
    assert calib.axes[0].get_xlabel() == "Predicted 2-year risk (out of fold)"
