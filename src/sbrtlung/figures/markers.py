"""Blood-marker figures: trajectories over the three timepoints and the forest plot of the
univariable Cox models (SAP 5).

Trajectories (from ADLB): one panel per marker; each patient is a thin translucent line
joining the values at consecutive timepoints at which they were sampled, over a box per
timepoint (median and quartiles, whiskers to the furthest value within 1.5 IQR of the box);
the medians are joined by a bold line. Beyond `MAX_LINES` (300) patients, lines would merge
into a grey block, so the lines and points are those of 300 patients evenly spaced in
patient-id order (the same in every panel), and the key says so; boxes and medians are
always of every patient. Forest plot (from the Cox results): HR per SD with its
95% CI on a log axis, one column per endpoint, the safety-set baseline models on top and the
landmark models (post-treatment values and dynamics) below.

Choices:

- A marker is drawn on a log axis when its values (all timepoints pooled) are all positive
  and right-skewed (sample skewness above `SKEW_FOR_LOG`, 1) and the log makes them more
  symmetric; the other markers keep a linear axis. Log ticks are at 1, 2 and 5 times powers
  of ten, printed as plain numbers.
- The forest plot's x axis is the same in every panel, symmetric around 1 on the log scale,
  from 1/2-2 up to at most 1/8-8 (powers of 2), wide enough for every CI up to that limit;
  a CI running beyond the axis ends in an arrow. A model that could not be fitted leaves its
  row empty.
- The baseline models carry their numbers beside each endpoint's panel: HR per SD with its
  95% CI and the Benjamini-Hochberg q-value, printed by `sbrtlung.formatter` as in
  the tables. The 228 landmark models are drawn only; their numbers are in the data
  supplement (marker_cox.csv), as four numbers a row at that density would not be legible.
- Landmark rows are banded by marker; within a band the four models are, top to bottom,
  end-of-treatment value, one-month value, change to end of treatment, change to one month
  (colour: value or change; filled or open: end of treatment or one month).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter
from scipy import stats

from sbrtlung.figures.style import (
    GREY,
    LABEL_SIZE,
    LIGHT_GREY,
    MAX_HEIGHT,
    OKABE_ITO,
    PAGE_WIDTH,
    SMALL_SIZE,
    evenly_spaced,
    new_figure,
    notice_figure,
    paper,
)
from sbrtlung.formatter import p_value
from sbrtlung.markers.cox import ENDPOINTS, VARIABLES, Variable, hr_text
from sbrtlung.markers.summary import LABELS, UNITS, unit_label
from sbrtlung.schemas import vocabulary as v

SKEW_FOR_LOG = 1.0
COLUMNS = 4
PANEL_HEIGHT = 1.55  # inches per row of trajectory panels
TIMEPOINT_TICKS = ("BL", "EoT", "1 mo")
LINE_ALPHA = 0.25
MAX_LINES = 300
NO_MARKERS = "Blood-marker analyses skipped: no laboratory value of a treated patient was exported."
NO_HAZARD_RATIO = "No marker model could be fitted (too few patients or events)."
BOX_COLOR = OKABE_ITO["blue"]
MAX_HR_LIMIT = 8.0
MIN_HR_LIMIT = 2.0

# (timepoint, kind) -> legend label, colour, marker, filled.
FOREST_STYLES = {
    ("baseline", "value"): ("Baseline value", OKABE_ITO["black"], "o", True),
    ("end_of_treatment", "value"): ("End-of-treatment value", OKABE_ITO["blue"], "s", True),
    ("one_month", "value"): ("One-month value", OKABE_ITO["blue"], "s", False),
    ("end_of_treatment", "change"): (
        "Change to end of treatment",
        OKABE_ITO["vermillion"],
        "^",
        True,
    ),
    ("one_month", "change"): ("Change to one month", OKABE_ITO["vermillion"], "^", False),
}
BASELINE_PITCH = 0.15  # inches per marker row, baseline models
LANDMARK_PITCH = 0.30  # inches per marker band of four landmark models


def log_axis(values: np.ndarray) -> bool:
    """Whether a marker is drawn on a log axis (see the module docstring)."""
    values = values[~np.isnan(values)]
    if values.size < 3 or (values <= 0).any() or np.ptp(values) == 0:
        return False
    raw, logged = stats.skew(values), stats.skew(np.log(values))
    return bool(raw > SKEW_FOR_LOG and abs(logged) < raw)


def _plain(value: float, _position: float) -> str:
    return f"{value:g}"


def _trajectory_panel(ax: Axes, wide: pd.DataFrame, drawn_ids: pd.Index, title: str) -> None:
    x = np.arange(len(v.TIMEPOINTS), dtype=float)
    values = wide.to_numpy(dtype=float)
    lines = wide[wide.index.isin(drawn_ids)].to_numpy(dtype=float)
    segments = [
        [(x[j], row[j]), (x[j + 1], row[j + 1])]
        for row in lines
        for j in range(len(x) - 1)
        if not (np.isnan(row[j]) or np.isnan(row[j + 1]))
    ]
    ax.add_collection(
        LineCollection(segments, colors=GREY, linewidths=0.35, alpha=LINE_ALPHA, zorder=1)
    )
    points = ~np.isnan(lines)
    ax.scatter(
        x[np.nonzero(points)[1]], lines[points], s=1.2, color=GREY, alpha=0.5, lw=0, zorder=1
    )
    observed = ~np.isnan(values)
    groups = [values[observed[:, j], j] for j in range(len(x))]
    drawn = [j for j, g in enumerate(groups) if g.size]
    ax.boxplot(
        [groups[j] for j in drawn],
        positions=x[drawn],
        widths=0.42,
        showfliers=False,
        patch_artist=True,
        boxprops={"facecolor": (1, 1, 1, 0.6), "edgecolor": BOX_COLOR, "linewidth": 0.8},
        whiskerprops={"color": BOX_COLOR, "linewidth": 0.8},
        capprops={"color": BOX_COLOR, "linewidth": 0.8},
        medianprops={"color": BOX_COLOR, "linewidth": 1.4},
        zorder=2,
    )
    medians = [np.median(groups[j]) for j in drawn]
    ax.plot(x[drawn], medians, color=BOX_COLOR, linewidth=1.4, zorder=3)
    if log_axis(values[observed]):
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(_plain))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(x, TIMEPOINT_TICKS)
    ax.set_xlim(-0.5, len(x) - 0.5)
    ax.grid(axis="x", visible=False)
    ax.set_title(title, size=LABEL_SIZE, pad=3)
    ax.tick_params(axis="both", labelsize=SMALL_SIZE)


def _panel_title(marker: str) -> str:
    short = LABELS[marker][0]
    return short if UNITS[marker] in ("ratio", "score") else f"{short}, {unit_label(marker)}"


def _trajectory_key(ax: Axes, drawn: int, patients: int) -> None:
    """The unused last panel explains the marks and the timepoint abbreviations."""
    ax.axis("off")
    line = "One patient" if drawn == patients else f"One patient\n({drawn} of {patients:,})"
    handles = [
        Line2D([], [], color=GREY, alpha=0.6, linewidth=0.6, label=line),
        Patch(facecolor="white", edgecolor=BOX_COLOR, label="Quartiles (box)"),
        Line2D([], [], color=BOX_COLOR, linewidth=1.4, label="Medians"),
    ]
    legend = ax.legend(handles=handles, loc="upper left", borderaxespad=0, handlelength=1.8)
    legend.set_in_layout(False)
    ax.text(
        0.0,
        0.35,
        "BL: baseline\nEoT: end of treatment\n1 mo: one month after SBRT",
        transform=ax.transAxes,
        va="top",
        size=SMALL_SIZE,
    )


def trajectory_figure(adlb: pd.DataFrame, max_lines: int = MAX_LINES) -> Figure:
    """One panel per marker: patients' paired values over the boxes of each timepoint."""
    if adlb.empty:
        return notice_figure(NO_MARKERS)
    patients = pd.Index(np.sort(adlb["USUBJID"].unique()))
    drawn_ids = patients[evenly_spaced(len(patients), max_lines)]
    rows = -(-len(v.MARKERS) // COLUMNS)
    with paper():
        fig = new_figure(PAGE_WIDTH, min(MAX_HEIGHT, rows * PANEL_HEIGHT))
        axes = fig.subplots(rows, COLUMNS).ravel()
        for ax, marker in zip(axes, v.MARKERS, strict=False):
            chosen = adlb[adlb["PARAMCD"] == marker]
            wide = chosen.pivot(index="USUBJID", columns="TIMEPOINT", values="AVAL")
            wide = wide.reindex(columns=list(v.TIMEPOINTS)).sort_index()
            _trajectory_panel(ax, wide, drawn_ids, _panel_title(marker))
        for ax in axes[len(v.MARKERS) : -1]:
            ax.axis("off")
        _trajectory_key(axes[-1], len(drawn_ids), len(patients))
    return fig


def hr_limits(cox: pd.DataFrame) -> tuple[float, float]:
    """Symmetric log-axis limits (powers of 2) covering the CIs, within 1/2-2 and 1/8-8."""
    bounds = cox[["lower", "upper"]].to_numpy(dtype=float)
    bounds = bounds[np.isfinite(bounds) & (bounds > 0)]
    reach = float(np.abs(np.log2(bounds)).max()) if bounds.size else 0.0
    top = float(np.clip(2.0 ** np.ceil(reach - 1e-9), MIN_HR_LIMIT, MAX_HR_LIMIT))
    return 1 / top, top


def _draw_hr(ax: Axes, y: float, row: pd.Series, style: tuple, limits: tuple[float, float]) -> None:
    _, color, marker, filled = style
    low, high = limits
    lower, upper = max(row["lower"], low), min(row["upper"], high)
    ax.plot([lower, upper], [y, y], color=color, linewidth=0.9, solid_capstyle="butt")
    for end, beyond, head in ((lower, row["lower"] < low, "<"), (upper, row["upper"] > high, ">")):
        if beyond:
            ax.plot([end], [y], head, color=color, markersize=3)
    if low <= row["hr"] <= high:
        ax.plot(
            [row["hr"]],
            [y],
            marker,
            color=color,
            markerfacecolor=color if filled else "white",
            markeredgewidth=0.8,
            markersize=3.4,
        )


def _forest_axis(
    ax: Axes, limits: tuple[float, float], n_markers: int, sparse: bool = False
) -> None:
    """Log-2 axis with a tick at every power of 2, or (`sparse`, a narrow panel) every other
    one, 1 always included."""
    ax.set_xscale("log", base=2)
    ax.set_xlim(*limits)
    ticks = [2.0**k for k in range(int(np.log2(limits[0])), int(np.log2(limits[1])) + 1)]
    if sparse:
        ticks = [t for t in ticks if round(np.log2(t)) % 2 == 0]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(_plain))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1.0, color=GREY, linewidth=0.7, linestyle=(0, (3, 2)), zorder=0)
    ax.set_ylim(n_markers - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    for i in range(1, n_markers, 2):
        ax.axhspan(i - 0.5, i + 0.5, color=LIGHT_GREY, alpha=0.35, linewidth=0, zorder=0)


NUMBERS_WIDTH = 1.35  # width of a numbers column, relative to its forest panel
NUMBERS_SIZE = SMALL_SIZE - 1


def _forest_numbers(ax: Axes, rows: pd.DataFrame, markers: list[str]) -> None:
    """HR (95% CI) and q of one endpoint's baseline models, one line per marker row."""
    ax.axis("off")
    head = {"size": NUMBERS_SIZE, "fontweight": "bold", "va": "center"}
    ax.text(0.06, -0.9, "HR (95% CI)", **head)
    ax.text(1.0, -0.9, "q", ha="right", **head)
    for _, row in rows.iterrows():
        y = markers.index(row["marker"])
        text = hr_text(row["hr"], row["lower"], row["upper"])
        ax.text(0.06, y, text, size=NUMBERS_SIZE, va="center")
        ax.text(1.0, y, p_value(row["q"]), size=NUMBERS_SIZE, va="center", ha="right")


def _forest_rows(
    sub: SubFigure,
    cox: pd.DataFrame,
    variables: Sequence[Variable],
    limits: tuple[float, float],
    title: str,
    numbers: bool = False,
) -> None:
    """One row of panels (one per endpoint) with the models of `variables`, dodged; with
    `numbers` (one model per marker), each panel followed by its HR, CI and q."""
    markers = list(v.MARKERS)
    if numbers:
        ratios = [1.0, NUMBERS_WIDTH] * len(ENDPOINTS)
        both = sub.subplots(1, len(ratios), sharey=True, width_ratios=ratios)
        axes, columns = both[0::2], both[1::2]
    else:
        axes, columns = sub.subplots(1, len(ENDPOINTS), sharey=True), [None] * len(ENDPOINTS)
    offsets = np.linspace(-0.3, 0.3, len(variables)) if len(variables) > 1 else [0.0]
    for ax, column, (paramcd, name) in zip(axes, columns, ENDPOINTS.items(), strict=True):
        _forest_axis(ax, limits, len(markers), sparse=numbers)
        chosen = cox[cox["paramcd"] == paramcd]
        for offset, variable in zip(offsets, variables, strict=True):
            style = FOREST_STYLES[(variable.timepoint, variable.kind)]
            models = chosen[(chosen["timepoint"] == variable.timepoint)]
            models = models[models["kind"] == variable.kind]
            for _, row in models[models["hr"].notna()].iterrows():
                _draw_hr(ax, markers.index(row["marker"]) + offset, row, style, limits)
            if column is not None:
                _forest_numbers(column, models, markers)
        ax.set_title(
            name, size=SMALL_SIZE, pad=10 if numbers else 2, loc="left" if numbers else "center"
        )
        ax.set_xlabel("HR per SD (log scale)", size=SMALL_SIZE)
        ax.tick_params(axis="y", length=0)
    axes[0].set_yticks(range(len(markers)), [LABELS[m][0] for m in markers])
    sub.suptitle(title, x=0.01, ha="left", fontweight="bold", size=LABEL_SIZE)


def forest_figure(cox: pd.DataFrame, landmark_days: float) -> Figure:
    """HR per SD with 95% CIs of every marker model, by endpoint (columns) and cohort (rows)."""
    if cox["hr"].isna().all():
        return notice_figure(NO_MARKERS if cox["n"].eq(0).all() else NO_HAZARD_RATIO)
    limits = hr_limits(cox)
    baseline = [x for x in VARIABLES if x.cohort == "baseline"]
    landmark = [x for x in VARIABLES if x.cohort == "landmark"]
    n = len(v.MARKERS)
    top, bottom = n * BASELINE_PITCH + 0.9, n * LANDMARK_PITCH + 0.95  # + titles, axes
    with paper():
        fig = new_figure(PAGE_WIDTH, min(MAX_HEIGHT, top + bottom))
        upper, lower = fig.subfigures(2, 1, height_ratios=[top, bottom])
        _forest_rows(
            upper,
            cox,
            baseline,
            limits,
            "A  Baseline values, safety set (time from first SBRT)",
            numbers=True,
        )
        _forest_rows(
            lower,
            cox,
            landmark,
            limits,
            f"B  Landmark cohort: event-free and followed beyond day {landmark_days:g} after "
            "first SBRT (time from the landmark)",
        )
        handles = [
            Line2D(
                [],
                [],
                color=color,
                marker=marker,
                markerfacecolor=color if filled else "white",
                markersize=3.4,
                linewidth=0.9,
                label=label,
            )
            for (label, color, marker, filled) in (
                FOREST_STYLES[(x.timepoint, x.kind)] for x in landmark
            )
        ]
        lower.legend(
            handles=handles,
            loc="outside lower center",
            ncols=len(handles),
            handlelength=2.0,
            columnspacing=1.2,
        )
    return fig
