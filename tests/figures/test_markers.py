"""Marker figures: byte-reproducible files, and what they draw is what the data say."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.figures import markers as figures
from sbrtlung.figures import style
from sbrtlung.formatter import Kind, p_value, with_interval
from sbrtlung.markers import cox as marker_cox
from sbrtlung.schemas import vocabulary as v
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date


@pytest.fixture(scope="module")
def adlb():
    cfg = config.load(simulation={"n_patients": 30})
    trial = simulate_trial(cfg["simulation"], 5)
    return derive_all(trial, cfg, latest_date(trial))["adlb"]


def made_up_cox(seed: int = 2) -> pd.DataFrame:
    """Every model of the real layout with random HRs and CIs; a few not fitted."""
    rng = np.random.default_rng(seed)
    rows = [
        {
            "paramcd": paramcd,
            "marker": marker,
            "timepoint": variable.timepoint,
            "kind": variable.kind,
        }
        for paramcd in marker_cox.ENDPOINTS
        for variable in marker_cox.VARIABLES
        for marker in v.MARKERS
    ]
    cox = pd.DataFrame(rows)
    log_hr = rng.normal(0, 0.3, len(cox))
    half = rng.uniform(0.2, 0.6, len(cox))
    cox["hr"], cox["lower"], cox["upper"] = (np.exp(log_hr + k * half) for k in (0, -1, 1))
    cox["q"] = rng.uniform(0, 1, len(cox))
    cox.loc[[3, 40], ["hr", "lower", "upper", "q"]] = np.nan
    return cox


FIGURES = {
    "marker_trajectories": lambda adlb: figures.trajectory_figure(adlb),
    "marker_forest": lambda adlb: figures.forest_figure(made_up_cox(), 61),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_writes_identical_png_and_pdf_twice(adlb, tmp_path, name):
    files = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        png, pdf = style.save(FIGURES[name](adlb), tmp_path / run / name)
        assert png.read_bytes().startswith(b"\x89PNG")
        assert pdf.read_bytes().startswith(b"%PDF")
        files.append((png.read_bytes(), pdf.read_bytes()))
    assert files[0] == files[1]


@pytest.mark.parametrize("name", FIGURES)
def test_figure_fits_the_page(adlb, name):
    width, height = FIGURES[name](adlb).get_size_inches()
    assert width == pytest.approx(style.PAGE_WIDTH) and height <= style.MAX_HEIGHT


def test_log_axis_only_for_positive_right_skewed_values():
    rng = np.random.default_rng(1)
    skewed = rng.lognormal(1.0, 1.0, 300)
    assert figures.log_axis(skewed)
    assert not figures.log_axis(rng.normal(40, 4, 300))
    assert not figures.log_axis(np.append(skewed, 0.0))  # a zero cannot go on a log axis
    assert not figures.log_axis(np.array([np.nan, 1.0]))


def test_trajectories_draw_one_panel_and_one_line_per_observed_pair(adlb):
    fig = figures.trajectory_figure(adlb)
    titled = {ax.get_title(): ax for ax in fig.axes if ax.get_title()}
    assert len(titled) == len(v.MARKERS)
    nlr = adlb[adlb["PARAMCD"] == "nlr"].pivot(index="USUBJID", columns="TIMEPOINT", values="AVAL")
    nlr = nlr.reindex(columns=list(v.TIMEPOINTS))
    pairs = (nlr["baseline"].notna() & nlr["end_of_treatment"].notna()).sum() + (
        nlr["end_of_treatment"].notna() & nlr["one_month"].notna()
    ).sum()
    (lines,) = [c for c in titled["NLR"].collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == pairs
    assert titled["NLR"].get_yscale() == "log"
    assert titled["Hemoglobin, g/L"].get_yscale() == "linear"


def test_large_cohorts_draw_some_lines_but_boxes_of_everyone(adlb):
    """Lines of `max_lines` patients, the same in every panel; medians of all patients."""
    patients = np.sort(adlb["USUBJID"].unique())
    fig = figures.trajectory_figure(adlb, max_lines=5)
    titled = {ax.get_title(): ax for ax in fig.axes if ax.get_title()}
    drawn = patients[style.evenly_spaced(len(patients), 5)]
    assert len(drawn) == 5 and drawn[0] == patients[0] and drawn[-1] == patients[-1]
    nlr = adlb[adlb["PARAMCD"] == "nlr"].pivot(index="USUBJID", columns="TIMEPOINT", values="AVAL")
    nlr = nlr.reindex(columns=list(v.TIMEPOINTS))
    shown = nlr.loc[nlr.index.isin(drawn)]
    pairs = (
        shown.iloc[:, :2].notna().all(axis=1).sum() + shown.iloc[:, 1:].notna().all(axis=1).sum()
    )
    (lines,) = [c for c in titled["NLR"].collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == pairs < len(nlr)
    medians = [line for line in titled["NLR"].get_lines() if len(line.get_xdata()) == 3]
    np.testing.assert_allclose(medians[-1].get_ydata(), nlr.median().to_numpy())
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert f"One patient\n(5 of {len(patients)})" in labels
    assert "One patient" in [
        t.get_text()
        for ax in figures.trajectory_figure(adlb).axes
        if ax.get_legend()
        for t in ax.get_legend().texts
    ]


@pytest.mark.parametrize(
    ("lower", "upper", "limits"),
    [
        ([0.7, 0.9], [1.3, 1.8], (0.5, 2.0)),
        ([0.3, 0.9], [1.3, 1.8], (0.25, 4.0)),
        ([0.9], [5.0], (0.125, 8.0)),
        ([0.01], [100.0], (0.125, 8.0)),  # capped
    ],
)
def test_hr_limits_are_symmetric_powers_of_two(lower, upper, limits):
    cox = pd.DataFrame({"lower": lower, "upper": upper})
    assert figures.hr_limits(cox) == limits


def point_estimates(ax):
    """x of the drawn HR markers (line objects with a single point and a marker shape)."""
    return sorted(
        float(line.get_xdata()[0])
        for line in ax.get_lines()
        if len(line.get_xdata()) == 1 and line.get_marker() in ("o", "s", "^")
    )


def test_forest_draws_every_fitted_model_in_its_endpoint_column():
    cox = made_up_cox()
    fig = figures.forest_figure(cox, 61)
    by_title = {}
    for ax in fig.axes:
        by_title.setdefault(ax.get_title() or ax.get_title(loc="left"), []).append(ax)
    for paramcd, name in marker_cox.ENDPOINTS.items():
        drawn = sorted(x for ax in by_title[name] for x in point_estimates(ax))
        chosen = cox[(cox["paramcd"] == paramcd) & cox["hr"].notna()]
        assert drawn == pytest.approx(sorted(chosen["hr"]))


def test_forest_prints_hr_ci_and_q_of_every_baseline_model():
    """The numbers column beside each endpoint's baseline panel: one line per marker, with
    the HR (95% CI) and q as the tables print them ('NE' for a model not fitted)."""
    cox = made_up_cox()
    fig = figures.forest_figure(cox, 61)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    baseline = cox[cox["timepoint"] == "baseline"]
    for _, row in baseline.iterrows():
        if np.isnan(row["hr"]):
            continue
        assert with_interval(row["hr"], row["lower"], row["upper"], Kind.HAZARD_RATIO) in texts
        assert p_value(row["q"]) in texts
    assert texts.count("HR (95% CI)") == len(marker_cox.ENDPOINTS)
    assert texts.count("NE") == int(baseline["hr"].isna().sum())


def test_forest_marks_a_ci_beyond_the_axis_with_an_arrow():
    cox = made_up_cox()
    cox.loc[0, ["hr", "lower", "upper"]] = [3.0, 1.5, 40.0]
    fig = figures.forest_figure(cox, 61)
    heads = [
        line
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_marker() == ">" and float(line.get_xdata()[0]) == 8.0
    ]
    assert len(heads) == 1
