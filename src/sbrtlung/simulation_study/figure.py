"""The simulation study's figure: rejection rates against alpha and power, bias and coverage of
every rate with their Monte Carlo intervals (docs/simulation_study.md)."""

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sbrtlung.figures.style import GREY, LIGHT_GREY, OKABE_ITO, PAGE_WIDTH, new_figure, paper
from sbrtlung.formatter import Kind, number
from sbrtlung.simulation_study.trials import (
    MC_LEVEL,
    MC_Z,
    REJECTION,
    RULES,
    SCENARIOS,
    binomial_mcse,
    measure_row,
    scenario_title,
)
from sbrtlung.synthetic.truth import RATE_TRUTHS

COLORS = {"H0": OKABE_ITO["blue"], "H1": OKABE_ITO["vermillion"]}
MARKERS = {"H0": "o", "H1": "s"}
OFFSET = {"H0": -0.15, "H1": 0.15}
SHORT_LABELS = {
    "lcr": "LCR (1 \N{MINUS SIGN} CIF), IJ CI, primary",
    "lcr_bootstrap": "LCR (1 \N{MINUS SIGN} CIF), bootstrap CI",
    "lcr_km": "LCR (Kaplan-Meier)",
    "local_recurrence": "Local recurrence",
    "regional_recurrence": "Regional recurrence",
    "distant_metastasis": "Distant metastasis",
    "pfs": "PFS",
    "os": "OS",
}
RULE_SHORT_LABELS = {"cluster_ij": "IJ (primary)", "percentile_bootstrap": "Bootstrap"}


def _interval(ax, y: float, row: pd.Series, scenario: str, scale: float = 1.0) -> None:
    """A Monte Carlo interval and point at height y."""
    low, high = row["mc_lower95"] * scale, row["mc_upper95"] * scale
    ax.errorbar(
        row["value"] * scale,
        y,
        xerr=[[row["value"] * scale - low], [high - row["value"] * scale]],
        fmt=MARKERS[scenario],
        color=COLORS[scenario],
        markersize=4,
        capsize=2,
        elinewidth=1,
    )


def _decision_panel(ax, summary: pd.DataFrame, scenario: str) -> None:
    """Rejection rate of each rule in one scenario, with MC intervals, against the target."""
    rows = [measure_row(summary, scenario, rule, "rejection_rate") for rule in RULES]
    target = rows[0]["target"]
    for y, row in enumerate(rows):
        _interval(ax, y, row, scenario)
    ax.axvline(target, color=GREY, linestyle="--", linewidth=0.8)
    low = min(target, *(row["mc_lower95"] for row in rows))
    high = max(target, *(row["mc_upper95"] for row in rows))
    pad = 0.25 * (high - low) + 0.01
    ax.set_xlim(max(0.0, low - pad), min(1.0, high + pad))
    ax.set_ylim(len(rows) - 0.4, -0.9)
    ax.set_yticks(range(len(rows)), [RULE_SHORT_LABELS[rule] for rule in RULES])
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))  # whole percents
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    name = "Type I error" if REJECTION[scenario] == "type_i_error" else "Power"
    ax.set_title(f"{name} ({scenario_title(summary, scenario)})", loc="left")
    ax.text(
        target, -0.65, f" target {number(target, Kind.SETTING)}", color=GREY, size=6.5, va="center"
    )
    ax.grid(axis="y", visible=False)


def _rate_panel(ax, summary: pd.DataFrame, measure: str, reference: float, scale: float) -> None:
    """One measure of every rate (rows) in both scenarios, with MC 95% intervals."""
    for i, key in enumerate(RATE_TRUTHS):
        for scenario in SCENARIOS:
            row = measure_row(summary, scenario, key, measure)
            _interval(ax, i + OFFSET[scenario], row, scenario, scale)
    ax.axvline(reference * scale, color=GREY, linestyle="--", linewidth=0.8)
    ax.set_ylim(len(RATE_TRUTHS) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)


def simulation_study_figure(summary: pd.DataFrame) -> Figure:
    """A: rejection rates against alpha and power; B: bias; C: coverage of the 95% CIs.

    Points are the simulation estimates, bars their Monte Carlo 95% intervals; dashed lines
    the design targets (alpha, power, no bias, 95%). In C the grey band is the range a
    correctly covering interval would show with this many replicates (0.95 +- 1.96 MCSE).
    """
    with paper():
        fig = new_figure(PAGE_WIDTH, 3.8)
        grid = fig.add_gridspec(2, 3, width_ratios=(1.0, 1.15, 1.0), height_ratios=(1, 1))
        top, bottom = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
        for ax, scenario in zip((top, bottom), SCENARIOS, strict=True):
            _decision_panel(ax, summary, scenario)
        bias = fig.add_subplot(grid[:, 1])
        cover = fig.add_subplot(grid[:, 2], sharey=bias)
        _rate_panel(bias, summary, "bias", 0.0, 100.0)
        bias.set_xlabel("Bias (percentage points)")
        bias.set_yticks(range(len(RATE_TRUTHS)), [SHORT_LABELS[key] for key in RATE_TRUTHS])
        _rate_panel(cover, summary, "coverage95", MC_LEVEL, 1.0)
        replicates = int(measure_row(summary, "H0", "lcr", "coverage95")["n_replicates"])
        half = MC_Z * binomial_mcse(MC_LEVEL, replicates)
        cover.axvspan(MC_LEVEL - half, MC_LEVEL + half, color=LIGHT_GREY, alpha=0.6, lw=0)
        cover.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        cover.set_xlabel("Coverage of the 95% CI")
        cover.tick_params(axis="y", labelleft=False)
        for ax, letter in ((top, "A"), (bias, "B"), (cover, "C")):
            ax.annotate(
                letter,
                (0, 1),
                xycoords="axes fraction",
                xytext=(-14, 14),
                textcoords="offset points",
                fontweight="bold",
                va="bottom",
            )
        handles = [
            bias.errorbar([], [], xerr=[], fmt=MARKERS[s], color=COLORS[s], markersize=4)
            for s in SCENARIOS
        ]
        labels = [scenario_title(summary, s) for s in SCENARIOS]
        fig.legend(handles, labels, loc="outside lower center", ncols=len(SCENARIOS))
    return fig
