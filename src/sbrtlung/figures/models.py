"""Prognostic-model figures: performance over the CV repeats, and calibration (SAP 4, 5).

Drawn from the models stage's summaries only (`sbrtlung.models.summary`).

Choices where the SAP is silent:

- Performance: one panel per metric (rows) and endpoint (columns); in each, the models side
  by side, grouped by cohort (all patients from the first SBRT, landmark cohort from the
  landmark). Small dots are the repeat means (spread evenly across the slot, in repeat
  order, so the same results give the same picture); the large marker and bar are the mean
  and the 2.5th-97.5th percentile over repeats. A dotted line marks 0.5, no discrimination,
  on the C and AUC panels.
- Calibration: one panel per cohort (rows) and endpoint (columns); the mean predicted risk
  by the horizon of each tertile of out-of-fold predicted risk (x) against its Kaplan-Meier
  observed risk with the 95% CI (y), one line per model, and the diagonal of perfect
  calibration. Both axes of the panels of one endpoint share one range, from 0 to a round
  value above everything drawn for that endpoint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sbrtlung.adam.endpoints import label as endpoint_label
from sbrtlung.figures.style import (
    GREY,
    LABEL_SIZE,
    OKABE_ITO,
    PAGE_WIDTH,
    SMALL_SIZE,
    new_figure,
    notice_figure,
    paper,
)
from sbrtlung.formatter import in_sentence
from sbrtlung.models.data import ENDPOINTS
from sbrtlung.models.metrics import LOWER_IS_BETTER, METRICS, labels
from sbrtlung.models.pipeline import MODELS
from sbrtlung.study import Horizon

ENDPOINT_TITLES = {code: endpoint_label(code) for code in ENDPOINTS}
COHORT_TITLES = {"full": "All patients", "landmark": "Landmark cohort"}
COLORS = dict(
    zip(
        (m.name for m in MODELS),
        (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"]),
        strict=True,
    )
)
MARKERS = dict(zip((m.name for m in MODELS), ("o", "s", "^"), strict=True))
SLOT = 0.36  # half-width of the strip of repeat dots around a model's position
GROUP_GAP = 0.6
PANEL_HEIGHT = 1.25
NO_MODEL = "No prognostic model could be estimated: too few events for cross-validation."
LEGEND_HEIGHT = 0.35


def _positions(performance: pd.DataFrame) -> dict[tuple[str, str], float]:
    """x position of each (cohort, model), models side by side, a gap between cohorts."""
    positions, x = {}, 0.0
    for cohort in COHORT_TITLES:
        models = [m.name for m in MODELS if cohort in m.cohorts]
        present = set(performance.loc[performance["cohort"] == cohort, "model"])
        for model in (m for m in models if m in present):
            positions[(cohort, model)] = x
            x += 1.0
        x += GROUP_GAP
    return positions


def _model_legend(fig: Figure, models: list[str]) -> None:
    handles = [
        Line2D([], [], color=COLORS[m], marker=MARKERS[m], linestyle="", markersize=5)
        for m in models
    ]
    labels = [next(s.label for s in MODELS if s.name == m) for m in models]
    fig.legend(handles, labels, loc="outside upper center", ncols=len(models))


def performance_figure(
    performance: pd.DataFrame, repeat_metrics: pd.DataFrame, horizon: Horizon
) -> Figure:
    """Each metric of each model with its spread over the CV repeats (module docstring)."""
    if performance.empty:
        return notice_figure(NO_MODEL)
    endpoints = [e for e in ENDPOINT_TITLES if e in set(performance["endpoint"])]
    positions = _positions(performance)
    metric_labels = labels(horizon)
    with paper():
        fig = new_figure(PAGE_WIDTH, LEGEND_HEIGHT + PANEL_HEIGHT * len(METRICS))
        axes = fig.subplots(len(METRICS), len(endpoints), sharex=True, squeeze=False)
        for col, endpoint in enumerate(endpoints):
            axes[0, col].set_title(ENDPOINT_TITLES[endpoint], fontweight="bold", size=LABEL_SIZE)
            for row, metric in enumerate(METRICS):
                ax = axes[row, col]
                summary = performance[
                    (performance["endpoint"] == endpoint) & (performance["metric"] == metric)
                ]
                spread = repeat_metrics[
                    (repeat_metrics["endpoint"] == endpoint) & (repeat_metrics["metric"] == metric)
                ]
                _performance_panel(ax, summary, spread, positions)
                ax.grid(False, axis="x")
                if metric not in LOWER_IS_BETTER:
                    ax.axhline(0.5, color=GREY, linewidth=0.6, linestyle=(0, (2, 2)), zorder=1)
                if col == 0:
                    ax.set_ylabel(metric_labels[metric].replace(" (", "\n("), size=SMALL_SIZE)
        _cohort_ticks(axes[-1, 0], positions)
        for ax in axes[-1, 1:]:
            _cohort_ticks(ax, positions)
        _model_legend(fig, [m.name for m in MODELS])
    return fig


def _performance_panel(
    ax: Axes,
    summary: pd.DataFrame,
    spread: pd.DataFrame,
    positions: dict[tuple[str, str], float],
) -> None:
    for _, row in summary.iterrows():
        x = positions[(row["cohort"], row["model"])]
        color = COLORS[row["model"]]
        values = (
            spread[(spread["cohort"] == row["cohort"]) & (spread["model"] == row["model"])]
            .sort_values("repeat", kind="stable")["value"]
            .to_numpy()
        )
        offsets = np.linspace(-SLOT, SLOT, values.size) if values.size > 1 else np.zeros(1)
        ax.plot(
            x + offsets[: values.size],
            values,
            linestyle="",
            marker="o",
            markersize=1.8,
            color=color,
            alpha=0.45,
            markeredgewidth=0,
        )
        ax.errorbar(
            [x],
            [row["mean"]],
            yerr=[[row["mean"] - row["lower"]], [row["upper"] - row["mean"]]],
            color=color,
            marker=MARKERS[row["model"]],
            markersize=4.5,
            markeredgecolor="white",
            markeredgewidth=0.5,
            elinewidth=1.2,
            capsize=2.5,
            zorder=3,
        )
    ax.margins(y=0.15)


def _cohort_ticks(ax: Axes, positions: dict[tuple[str, str], float]) -> None:
    """One tick label per cohort, centred under its models."""
    centres = {}
    for (cohort, _), x in positions.items():
        centres.setdefault(cohort, []).append(x)
    ax.set_xticks([float(np.mean(xs)) for xs in centres.values()])
    ax.set_xticklabels([COHORT_TITLES[c] for c in centres])
    ax.tick_params(axis="x", length=0)
    lo, hi = min(positions.values()), max(positions.values())
    ax.set_xlim(lo - 0.6, hi + 0.6)


def _risk_limit(calibration: pd.DataFrame) -> float:
    """Top of the calibration axes of one endpoint: the first 10% step at least 5 points
    above everything drawn (never below 20%)."""
    top = float(np.nanmax(calibration[["predicted", "upper"]].to_numpy()))
    return float(min(1.0, max(0.2, np.ceil(round((top + 0.05) * 10, 9)) / 10)))


def calibration_figure(calibration: pd.DataFrame, horizon: Horizon) -> Figure:
    """Observed against predicted risk by tertile, per cohort and endpoint (module docstring)."""
    if calibration.empty:
        return notice_figure(NO_MODEL)
    endpoints = [e for e in ENDPOINT_TITLES if e in set(calibration["endpoint"])]
    cohorts = [c for c in COHORT_TITLES if c in set(calibration["cohort"])]
    limits = {e: _risk_limit(calibration[calibration["endpoint"] == e]) for e in endpoints}
    years = horizon.adjective
    panel = (PAGE_WIDTH - 0.3) / len(endpoints)
    with paper():
        fig = new_figure(PAGE_WIDTH, LEGEND_HEIGHT + panel * len(cohorts))
        axes = fig.subplots(len(cohorts), len(endpoints), squeeze=False)
        for row, cohort in enumerate(cohorts):
            for col, endpoint in enumerate(endpoints):
                ax = axes[row, col]
                chosen = calibration[
                    (calibration["cohort"] == cohort) & (calibration["endpoint"] == endpoint)
                ]
                limit = limits[endpoint]
                ax.plot([0, limit], [0, limit], color=GREY, linewidth=0.6, linestyle="--")
                for model, rows in chosen.groupby("model", sort=False):
                    rows = rows.sort_values("tertile", kind="stable")
                    ax.errorbar(
                        rows["predicted"],
                        rows["observed"],
                        yerr=[rows["observed"] - rows["lower"], rows["upper"] - rows["observed"]],
                        color=COLORS[model],
                        marker=MARKERS[model],
                        markersize=4,
                        linewidth=0.8,
                        elinewidth=0.8,
                        capsize=2,
                    )
                ax.set_xlim(0, limit)
                ax.set_ylim(0, limit)
                ax.set_aspect("equal")
                for axis in (ax.xaxis, ax.yaxis):
                    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                ax.set_title(
                    f"{ENDPOINT_TITLES[endpoint]}: {in_sentence(COHORT_TITLES[cohort])}",
                    size=LABEL_SIZE,
                )
                ax.set_xlabel(f"Predicted {years} risk (out of fold)")
                ax.set_ylabel(f"Observed {years} risk (Kaplan-Meier)")
        present = [m.name for m in MODELS if m.name in set(calibration["model"])]
        _model_legend(fig, present)
    return fig
