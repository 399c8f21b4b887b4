"""Efficacy figures: they render, files are byte-reproducible, and what they show is right."""

import numpy as np
import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis import efficacy
from sbrtlung.analysis.curves import efficacy_curves
from sbrtlung.figures import style, survival, swimmer
from sbrtlung.formatter import Kind, with_interval
from sbrtlung.study import Horizon
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date

HORIZON, MONTH, REPS, SEED = 730.5, 30.4375, 60, 11


@pytest.fixture(scope="module")
def cohort():
    """ADSL and ADTTE of a small synthetic trial, derived as the workflow derives them."""
    cfg = config.load(simulation={"n_patients": 30})
    trial = simulate_trial(cfg["simulation"], 5)
    adam = derive_all(trial, cfg, latest_date(trial))
    return adam["adsl"], adam["adtte"]


def draw(name, adsl, adtte, horizon_days=HORIZON):
    horizon = Horizon(horizon_days, 365.25, MONTH)
    if name == "swimmer":
        return swimmer.swimmer_figure(adsl, adtte, month_days=MONTH)
    function = getattr(survival, f"{name}_figure")
    return function(efficacy_curves(adtte, horizon, REPS, SEED), horizon=horizon)


FIGURES = ["local_failure", "pfs_os", "failure_patterns", "swimmer"]


@pytest.mark.parametrize("name", FIGURES)
def test_figure_writes_identical_png_and_pdf_twice(cohort, tmp_path, name):
    files = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        png, pdf = style.save(draw(name, *cohort), tmp_path / run / name)
        assert png.read_bytes().startswith(b"\x89PNG")
        assert pdf.read_bytes().startswith(b"%PDF")
        files.append((png.read_bytes(), pdf.read_bytes()))
    assert files[0] == files[1]
    assert b"Software" not in files[0][0]  # no tool or date stamps that could vary
    assert b"CreationDate" not in files[0][1]


def test_numbers_at_risk_counts_aval_at_or_after_t():
    rng = np.random.default_rng(3)
    aval = rng.integers(0, 400, size=200)
    at = np.concatenate([[0.0, 182.625, 1000.0], aval[:5].astype(float)])  # exact ties too
    expected = [(aval >= t).sum() for t in at]
    assert style.numbers_at_risk(aval, at).tolist() == expected


def table_rows(fig):
    """Counts drawn in each at-risk table of a figure, by row label."""
    out = {}
    for ax in fig.axes:
        if ax.get_title(loc="left") != "Number at risk":
            continue
        labels = [t.get_text() for t in ax.get_yticklabels()]
        for i, label in enumerate(labels):
            texts = sorted(
                (t for t in ax.texts if t.get_position()[1] == i), key=lambda t: t.get_position()[0]
            )
            out.setdefault(label, []).append([int(t.get_text()) for t in texts])
    return out


def test_drawn_numbers_at_risk_equal_direct_counts(cohort):
    adsl, adtte = cohort
    rows = table_rows(draw("failure_patterns", adsl, adtte))
    ends = adtte.loc[adtte["PARAMCD"].isin(["LFPT", "RR", "DM"]), "AVAL"].max() / MONTH
    ticks = np.arange(0, 6 * np.ceil(ends / 6) + 1, 6) * MONTH
    for label, code in (("Local", "LFPT"), ("Regional", "RR"), ("Distant", "DM")):
        aval = adtte.loc[adtte["PARAMCD"] == code, "AVAL"].to_numpy()
        assert rows[label] == [[int((aval >= t).sum()) for t in ticks]]
    lesions = table_rows(draw("local_failure", adsl, adtte))["Nodules"][0]
    assert lesions[0] == (adtte["PARAMCD"] == "LF").sum()


def legend_texts(fig):
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def test_horizon_values_equal_the_efficacy_table(cohort):
    adsl, adtte = cohort
    rates = efficacy.rates(adtte, adsl, {"2y": HORIZON}, REPS, SEED, 0.05).set_index("key")

    def text(key, complement=False):
        r = rates.loc[key]
        if complement:
            return with_interval(
                1 - r["estimate"], 1 - r["upper95"], 1 - r["lower95"], Kind.PROPORTION
            )
        return with_interval(r["estimate"], r["lower95"], r["upper95"], Kind.PROPORTION)

    local = " ".join(legend_texts(draw("local_failure", adsl, adtte)))
    assert f"death competing: {text('lcr', True)}" in local
    assert f"death censored: {text('lcr_km', True)}" in local
    patterns = legend_texts(draw("failure_patterns", adsl, adtte))
    assert f"Local: {text('local_recurrence')}" in patterns
    assert f"Distant: {text('distant_metastasis')}" in patterns
    survival_texts = legend_texts(draw("pfs_os", adsl, adtte))
    assert f"Kaplan-Meier: {text('pfs')}" in survival_texts
    assert f"Kaplan-Meier: {text('os')}" in survival_texts


def test_value_beyond_follow_up_is_not_estimable(cohort):
    adsl, adtte = cohort
    texts = legend_texts(draw("local_failure", adsl, adtte, horizon_days=1e5))
    assert texts[0].endswith(": NE")


@pytest.mark.parametrize(
    ("top", "limit"),
    [(0.0, 0.2), (0.149, 0.2), (0.15, 0.2), (0.151, 0.3), (0.62, 0.7), (0.97, 1.0)],
)
def test_incidence_axis_leaves_five_points_and_starts_at_twenty_percent(top, limit):
    assert survival.incidence_upper_limit(np.array([0.0, top])) == pytest.approx(limit)


def follow_up_bars(fig):
    return [p for p in fig.axes[0].patches if p.get_gid() == swimmer.BAR_GID]


def test_swimmer_has_one_bar_per_safety_set_patient(cohort):
    adsl, adtte = cohort
    adsl = adsl.copy()
    adsl.loc[adsl.index[:2], "SAFFL"] = False  # not treated: no bar
    fig = swimmer.swimmer_figure(adsl, adtte, month_days=MONTH)
    bars = follow_up_bars(fig)
    saf = adsl[adsl["SAFFL"]]
    assert len(bars) == len(saf)
    expected = np.sort(((saf["LSTALVDY"] - saf["TRTSDY"]) / MONTH).to_numpy(float))
    assert np.allclose([b.get_width() for b in bars], expected)


def test_swimmer_shows_an_even_subset_of_large_cohorts(cohort):
    adsl, adtte = cohort
    fig = swimmer.swimmer_figure(adsl, adtte, month_days=MONTH, max_patients=7)
    widths = [b.get_width() for b in follow_up_bars(fig)]
    follow = swimmer.swimmer_data(adsl, MONTH)["FOLLOWUP"]
    assert len(widths) == 7
    assert widths[0] == follow.min() and widths[-1] == follow.max()
    assert fig.axes[0].get_ylabel() == f"Patients (7 of {len(follow)} shown)"


def test_swimmer_events_are_months_from_first_sbrt():
    adsl = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2"],
            "SAFFL": [True, True],
            "TRTSDY": pd.array([10, 5], dtype="Int64"),
            "TRTEDY": pd.array([20, 5], dtype="Int64"),
            "DTHFL": [True, False],
            "LTFUFL": [False, True],
            "DTHDY": pd.array([400, pd.NA], dtype="Int64"),
            "LSTALVDY": pd.array([400, 300], dtype="Int64"),
        }
    )
    adtte = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P1", "P2"],
            "PARAMCD": ["LF", "LF", "DM", "RR"],
            "ADY": [100, 200, 150, 50],
            "EVNT": [1, 1, 1, 0],
        }
    )
    events = swimmer.swimmer_events(adsl, adtte, 30.0)
    assert sorted(zip(events["KIND"], events["MONTH"], strict=True)) == [
        ("death", 13.0),
        ("distant", 14.0 / 3),
        ("local", 3.0),
        ("local", 19.0 / 3),
    ]
    bars = swimmer.swimmer_data(adsl, 30.0)
    assert bars["USUBJID"].tolist() == ["P2", "P1"]  # shortest follow-up first (bottom)
    assert bars["SBRT"].tolist() == [1 / 30, 11 / 30]  # first start to last end, days included
    assert bars["LOST"].tolist() == [True, False]


def _markers(fig, marker: str, filled: bool):
    """The data points of one marker style on the swimmer's axis, filled or open."""
    return [
        (x, y)
        for line in fig.axes[0].get_lines()
        if line.get_marker() == marker and (line.get_markerfacecolor() != "white") == filled
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
    ]


def test_swimmer_draws_lost_to_follow_up_apart_from_alive_at_last_contact(cohort):
    """An open circle ends the bar of a patient lost to follow-up, an arrow that of a patient
    alive at last contact; no patient gets both, the dead get neither."""
    adsl, adtte = cohort
    adsl = adsl.copy()
    alive = adsl[adsl["SAFFL"] & ~adsl["DTHFL"]].index
    adsl["LTFUFL"] = False
    adsl.loc[alive[:3], "LTFUFL"] = True  # three of the living lost
    fig = swimmer.swimmer_figure(adsl, adtte, month_days=MONTH)
    lost, arrows = _markers(fig, "o", filled=False), _markers(fig, ">", filled=True)
    assert len(lost) == 3 and len(arrows) == len(alive) - 3
    assert not {y for _, y in lost} & {y for _, y in arrows}
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Lost to follow-up" in labels and "Alive at last contact" in labels


def test_curves_without_events_or_censoring_are_drawn_flat(cohort):
    """A delivery with no local, regional or distant failure and nobody censored for overall
    survival still draws every figure: flat incidences, no censoring marks."""
    adsl, adtte = cohort
    failures = adtte["PARAMCD"].isin(["LF", "LFPT", "RR", "DM"]) & (adtte["EVNT"] == 1)
    quiet = adtte.assign(EVNT=adtte["EVNT"].mask(failures, 0))
    os_rows = quiet["PARAMCD"] == "OS"
    quiet.loc[os_rows, "EVNT"] = 1
    for name in ("local_failure", "failure_patterns", "pfs_os"):
        fig = draw(name, adsl, quiet)
        assert fig.axes
