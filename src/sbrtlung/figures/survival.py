"""Efficacy curves: local failure, PFS and OS, and the pattern of failure (SAP 4 and 5).

Every number drawn comes from `sbrtlung.analysis.estimators` and `sbrtlung.analysis.bootstrap`
on ADTTE (days); the axes show months (days / `month_days`), ticked every 6 months, up to the
first tick at or after the longest follow-up, so the whole follow-up is shown and the at-risk
table says how little is left at the end.

Choices where the SAP is silent:

- The value drawn at the horizon is the curve at `horizon.days` (24 months by default), marked
  by a dotted vertical line and a dot on each curve, its value and CI in the legend. The
  CIs are those of the efficacy table: for the cumulative incidence of local failure per
  lesion (the complement of the primary local control rate) the patient-cluster
  infinitesimal-jackknife log(-log) interval of SAP amendment 1.1; for the other CIFs and the
  Kaplan-Meier sensitivity curve the percentile patient-cluster bootstrap with the workflow's
  seed and replicates, evaluated on the same grid as the band (the bootstrap's draws do not
  depend on the evaluation times). As in that table, a value at a time nobody reaches (no
  unit with AVAL >= horizon, `estimators.estimable_at`) is not estimable and is not drawn.
- The band of a CIF is its pointwise 95% interval of the same kind at every distinct event
  time (either cause), where all curves step, drawn as a step function.
- Cumulative-incidence axes run from 0 to the smallest multiple of 10% that leaves at least 5
  percentage points above everything drawn, and never below 20%: low incidences stay legible
  without a short axis magnifying small differences. Survival axes run from 0 to 100%.
- Local failure has one at-risk row: the Aalen-Johansen and Kaplan-Meier curves share the
  same lesions at risk (AVAL >= t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MultipleLocator, PercentFormatter

from sbrtlung.adam.endpoints import BY_PARAMCD
from sbrtlung.figures.style import (
    COLUMN_WIDTH,
    GREY,
    LABEL_SIZE,
    OKABE_ITO,
    PAGE_WIDTH,
    SMALL_SIZE,
    RiskRow,
    draw_at_risk,
    month_ticks,
    new_figure,
    paper,
    risk_table_height,
)
from sbrtlung.formatter import NOT_ESTIMABLE, Kind, with_interval
from sbrtlung.study import Horizon

PLOT_HEIGHT = 2.2
LEVEL = 0.95
LINE = 0.14  # inches per line of 7 pt text (legend entries)
MARGINS = 0.55  # inches for the x tick labels, the x label and the figure padding


@dataclass(frozen=True)
class HorizonValue:
    """A curve's value at the horizon with its 95% CI (NaN where not estimable)."""

    estimate: float
    lower: float
    upper: float

    @property
    def estimable(self) -> bool:
        return not np.isnan(self.estimate)

    def text(self) -> str:
        if not self.estimable:
            return NOT_ESTIMABLE
        return with_interval(self.estimate, self.lower, self.upper, Kind.PROPORTION)


def _curve(curves: pd.DataFrame, paramcd: str, name: str) -> pd.DataFrame:
    """One curve of the efficacy job's table (`analysis.curves`), in its time order; no row
    where it has no point (no event: a flat curve; nobody censored: no mark)."""
    return curves[(curves["paramcd"] == paramcd) & (curves["curve"] == name)]


def _at_horizon(
    curves: pd.DataFrame, paramcd: str, name: str, complement: bool = False
) -> HorizonValue:
    """The value at the horizon as the efficacy job estimated it (NaN: not estimable); its
    complement, 1 - survival, for an incidence drawn from a survival curve."""
    row = _curve(curves, paramcd, name).iloc[0]
    if complement:
        return HorizonValue(1 - row["estimate"], 1 - row["upper"], 1 - row["lower"])
    return HorizonValue(row["estimate"], row["lower"], row["upper"])


def _end(curves: pd.DataFrame, paramcd: str) -> float:
    """The longest follow-up of an endpoint, in days."""
    return float(_curve(curves, paramcd, "at_risk")["time"].max())


def _numbers_at_risk(curves: pd.DataFrame, paramcd: str, at: np.ndarray) -> np.ndarray:
    """Units still at risk at each time of `at` (AVAL >= t), from the counts at every time of
    follow-up."""
    rows = _curve(curves, paramcd, "at_risk")
    times, counts = rows["time"].to_numpy(), rows["estimate"].to_numpy().astype(int)
    j = np.searchsorted(times, np.asarray(at, dtype=float), side="left")
    return np.where(j < times.size, counts[np.minimum(j, times.size - 1)], 0)


def incidence_upper_limit(*values: np.ndarray) -> float:
    """Top of a cumulative-incidence axis: see the module docstring."""
    top = max(float(np.nanmax(v)) if np.size(v) else 0.0 for v in values)
    return float(min(1.0, max(0.2, np.ceil(round((top + 0.05) * 10, 9)) / 10)))


def _steps(
    times: np.ndarray, values: np.ndarray, initial: float, end: float, month_days: float
) -> tuple[np.ndarray, np.ndarray]:
    """x (months) and y of a right-continuous step curve from 0 to `end` days."""
    x = np.concatenate([[0.0], times, [max(end, times[-1] if times.size else 0.0)]])
    y = np.concatenate([[initial], values, [values[-1] if values.size else initial]])
    return x / month_days, y


def _height(legend_lines: int, risk_rows: int) -> float:
    return legend_lines * LINE + PLOT_HEIGHT + MARGINS + risk_table_height(risk_rows)


def _panel(parent: Figure | SubFigure, risk_rows: int) -> tuple[Axes, Axes]:
    """A plot with its at-risk table underneath, sharing the time axis."""
    grid = parent.add_gridspec(2, 1, height_ratios=[PLOT_HEIGHT, risk_table_height(risk_rows)])
    ax = parent.add_subplot(grid[0])
    return ax, parent.add_subplot(grid[1], sharex=ax)


def _time_axis(ax: Axes, ticks: np.ndarray, label: str) -> None:
    ax.set_xticks(ticks)
    ax.set_xlim(0, ticks[-1])
    ax.set_xlabel(label)


def _percent_axis(ax: Axes, top: float) -> None:
    """y axis from 0 to `top` in whole percentages, ticks at round steps."""
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MultipleLocator(0.05 if top <= 0.3 else 0.1 if top <= 0.6 else 0.2))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _horizon_marker(ax: Axes, horizon_months: float) -> None:
    ax.axvline(horizon_months, color=GREY, linewidth=0.6, linestyle=(0, (2, 2)), zorder=1)


def _horizon_title(horizon: Horizon) -> str:
    """Legend title naming the horizon in months ("At 24 months" for 730.5 days)."""
    return f"At {horizon.months_label}, % (95% CI)"


def _legend_above(ax: Axes, title: str) -> None:
    """Legend above the plot, outside the data, so it never hides a curve or a band."""
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.02),
        borderaxespad=0,
        title=title,
        title_fontsize=SMALL_SIZE,
        alignment="left",
        handlelength=2.2,
    )


def local_failure_figure(curves: pd.DataFrame, *, horizon: Horizon) -> Figure:
    """Cumulative incidence of local failure per lesion (Aalen-Johansen, death competing) with
    its cluster IJ band, 1 - Kaplan-Meier as the sensitivity curve, and lesions at risk."""
    month_days = horizon.month_days
    aj = _curve(curves, "LF", "aj")
    aj_time, aj_cif = aj["time"].to_numpy(), aj["estimate"].to_numpy()
    km = _curve(curves, "LF", "km")
    km_time, km_survival = km["time"].to_numpy(), km["estimate"].to_numpy()
    ij = _curve(curves, "LF", "aj_band")
    grid, lower, upper = (ij[c].to_numpy() for c in ("time", "lower", "upper"))
    cif_h = _at_horizon(curves, "LF", "horizon_cif")
    km_h = _at_horizon(curves, "LF", "horizon_km", complement=True)

    end = _end(curves, "LF")
    band = grid <= end  # the horizon may lie beyond the follow-up; the band stops with it
    ticks = month_ticks(end / month_days)
    cif_color, km_color = OKABE_ITO["vermillion"], OKABE_ITO["blue"]
    with paper():
        fig = new_figure(COLUMN_WIDTH, _height(4, 1))
        ax, table = _panel(fig, 1)
        x, lo = _steps(grid[band], lower[band], 0.0, end, month_days)
        _, hi = _steps(grid[band], upper[band], 0.0, end, month_days)
        ax.step(
            *_steps(aj_time, aj_cif, 0.0, end, month_days),
            where="post",
            color=cif_color,
            label=f"Aalen-Johansen, death competing: {cif_h.text()}",
        )
        ax.fill_between(
            x,
            lo,
            hi,
            step="post",
            color=cif_color,
            alpha=0.2,
            linewidth=0,
            label="95% CI band, patient-cluster infinitesimal jackknife",
        )
        ax.step(
            *_steps(km_time, 1 - km_survival, 0.0, end, month_days),
            where="post",
            color=km_color,
            linestyle="--",
            label=f"1 \N{MINUS SIGN} Kaplan-Meier, death censored: {km_h.text()}",
        )
        _horizon_marker(ax, horizon.months)
        if cif_h.estimable:
            ax.plot([horizon.months], [cif_h.estimate], "o", color=cif_color, markersize=3.5)
        if km_h.estimable:
            ax.plot(
                [horizon.months], [km_h.estimate], "o", color=km_color, markersize=3.5, mfc="white"
            )
        _percent_axis(ax, incidence_upper_limit(upper[band], aj_cif, 1 - km_survival))
        ax.set_ylabel("Cumulative incidence of local failure")
        _time_axis(ax, ticks, "Months since SBRT of the nodule")
        _legend_above(ax, _horizon_title(horizon))
        counts = _numbers_at_risk(curves, "LF", ticks * month_days)
        draw_at_risk(table, ticks, [RiskRow("Nodules", "black", counts)], "Number at risk")
    return fig


def pfs_os_figure(curves: pd.DataFrame, *, horizon: Horizon) -> Figure:
    """Kaplan-Meier PFS and OS side by side with log(-log) 95% bands, censoring ticks, the
    value at the horizon and patients at risk."""
    month_days = horizon.month_days
    panels = [
        ("PFS", "A", BY_PARAMCD["PFS"].label, OKABE_ITO["blue"]),
        ("OS", "B", BY_PARAMCD["OS"].label, OKABE_ITO["green"]),
    ]
    ticks = month_ticks(max(_end(curves, code) for code, *_ in panels) / month_days)
    with paper():
        fig = new_figure(PAGE_WIDTH, _height(4, 1) + LINE)  # + the panel title
        for (code, letter, name, color), sub in zip(panels, fig.subfigures(1, 2), strict=True):
            km = _curve(curves, code, "km")
            time, survival = km["time"].to_numpy(), km["estimate"].to_numpy()
            censored = _curve(curves, code, "censored")
            value = _at_horizon(curves, code, "horizon_km")
            last = _end(curves, code)
            ax, table = _panel(sub, 1)
            ax.step(
                *_steps(time, survival, 1.0, last, month_days),
                where="post",
                color=color,
                label=f"Kaplan-Meier: {value.text()}",
            )
            x, lo = _steps(time, km["lower"].to_numpy(), 1.0, last, month_days)
            _, hi = _steps(time, km["upper"].to_numpy(), 1.0, last, month_days)
            ax.fill_between(
                x,
                lo,
                hi,
                step="post",
                color=color,
                alpha=0.2,
                linewidth=0,
                label="95% CI band, log(\N{MINUS SIGN}log) Greenwood",
            )
            ax.plot(
                censored["time"].to_numpy() / month_days,
                censored["estimate"].to_numpy(),
                "|",
                color=color,
                markersize=4,
                markeredgewidth=0.8,
                label="Censored",
            )
            _horizon_marker(ax, horizon.months)
            if value.estimable:
                ax.plot([horizon.months], [value.estimate], "o", color=color, markersize=3.5)
            _percent_axis(ax, 1.0)
            ax.set_ylabel(name)
            _time_axis(ax, ticks, "Months since first SBRT")
            _legend_above(ax, _horizon_title(horizon))
            sub.suptitle(f"{letter}  {name}", x=0.02, ha="left", fontweight="bold", size=LABEL_SIZE)
            counts = _numbers_at_risk(curves, code, ticks * month_days)
            draw_at_risk(table, ticks, [RiskRow("Patients", "black", counts)], "Number at risk")
    return fig


def failure_patterns_figure(curves: pd.DataFrame, *, horizon: Horizon) -> Figure:
    """Cumulative incidence of local (per patient), regional and distant failure, death
    competing, with the values at the horizon and patients at risk per endpoint."""
    month_days = horizon.month_days
    drawn_curves = [
        ("LFPT", OKABE_ITO["vermillion"], "-"),
        ("RR", OKABE_ITO["green"], "--"),
        ("DM", OKABE_ITO["blue"], ":"),
    ]
    ticks = month_ticks(max(_end(curves, code) for code, *_ in drawn_curves) / month_days)
    with paper():
        fig = new_figure(COLUMN_WIDTH, _height(len(drawn_curves) + 1, len(drawn_curves)))
        ax, table = _panel(fig, len(drawn_curves))
        rows, drawn = [], []
        for code, color, style in drawn_curves:
            label = BY_PARAMCD[code].site.capitalize()
            aj = _curve(curves, code, "aj")
            cif = aj["estimate"].to_numpy()
            value = _at_horizon(curves, code, "horizon_cif")
            ax.step(
                *_steps(aj["time"].to_numpy(), cif, 0.0, _end(curves, code), month_days),
                where="post",
                color=color,
                linestyle=style,
                label=f"{label}: {value.text()}",
            )
            if value.estimable:
                ax.plot([horizon.months], [value.estimate], "o", color=color, markersize=3)
            drawn.append(cif)
            rows.append(RiskRow(label, color, _numbers_at_risk(curves, code, ticks * month_days)))
        _horizon_marker(ax, horizon.months)
        _percent_axis(ax, incidence_upper_limit(*drawn))
        ax.set_ylabel("Cumulative incidence (death competing)")
        _time_axis(ax, ticks, "Months since first SBRT")
        _legend_above(ax, _horizon_title(horizon))
        draw_at_risk(table, ticks, rows, "Number at risk")
    return fig
