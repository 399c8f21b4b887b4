"""Forest plots of the 2-year local control rate (SAP amendment 1.2c-e): the sensitivity
analyses against the null of the primary hypothesis, the sites ordered by size with the
pooled estimate, and the subgroups with their cause-specific hazard ratios.

One row per estimate with its 95% CI; the numbers a reader needs (nodules, failures, the
estimate and its interval) are printed beside each row. A row without an estimate prints the
formatter's NE (the captions say what it means); a no-failure interval (amendment 1.2a) is
drawn like any other.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sbrtlung.adam.lf_sensitivity import DERIVATIONS
from sbrtlung.analysis.subgroups import FACTORS
from sbrtlung.figures.style import GREY, OKABE_ITO, PAGE_WIDTH, new_figure, paper
from sbrtlung.formatter import NOT_ESTIMABLE, Kind, number, with_interval
from sbrtlung.study import Horizon

ROW_HEIGHT = 0.22  # inches per row


@dataclass(frozen=True)
class Row:
    label: str
    estimate: float = np.nan
    low: float = np.nan
    high: float = np.nan
    counts: str = ""
    header: bool = False  # a factor's title row, no estimate
    emphasis: bool = False  # the primary analysis or the pooled estimate
    extra: tuple[str, ...] = ()  # further printed cells (a hazard ratio)


def _cell(row: Row) -> str:
    if row.header:
        return ""
    if np.isnan(row.estimate):
        return NOT_ESTIMABLE
    return with_interval(row.estimate, row.low, row.high, Kind.PROPORTION)


def _lcr_axis(
    ax: Axes, rows: list[Row], horizon: Horizon, null: float | None, pooled: float | None
) -> None:
    y = np.arange(len(rows))[::-1]
    for yi, row in zip(y, rows, strict=True):
        if row.header or np.isnan(row.estimate):
            continue
        colour = OKABE_ITO["vermillion"] if row.emphasis else OKABE_ITO["blue"]
        ax.plot([row.low, row.high], [yi, yi], color=colour, lw=1.2, solid_capstyle="butt")
        marker = "D" if row.emphasis else "s"
        ax.plot(row.estimate, yi, marker, color=colour, ms=4.5 if row.emphasis else 4)
    if null is not None:
        ax.axvline(null, color=GREY, ls="--", lw=0.8)
        ax.text(
            null,
            len(rows) - 0.35,
            f"H0 {number(null, Kind.SETTING)}",
            ha="center",
            va="bottom",
            fontsize=7,
            color=GREY,
        )
    if pooled is not None and not np.isnan(pooled):
        ax.axvline(pooled, color=OKABE_ITO["vermillion"], ls=":", lw=0.8)
    lows = [r.low for r in rows if not np.isnan(r.low)]
    left = max(0.0, np.floor(10 * min([*lows, null or 1.0])) / 10 - 0.05)
    ax.set_xlim(left, 1.005)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(y, [r.label for r in rows])
    for tick, row in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set_fontweight("bold" if row.header or row.emphasis else "normal")
    step = 0.1 if left >= 0.5 else 0.2  # at most six ticks
    ticks = np.arange(1.0, left - 1e-9, -step)[::-1]
    ax.set_xticks(ticks, [number(t, Kind.PROPORTION, decimals=0) for t in ticks])
    ax.set_xlabel(f"{horizon.adjective} local control per nodule (95% CI)")
    ax.grid(axis="y", visible=False)


def _numbers(ax: Axes, rows: list[Row], headers: tuple[str, ...], widths: tuple[float, ...]):
    """The printed columns right of the plot, `widths` in parts of the panel: the counts, the
    estimate with its CI, and any further cells of the rows."""
    y = np.arange(len(rows))[::-1]
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlim(0, 1)
    ax.axis("off")
    left = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    for x, title in zip(left, headers, strict=True):
        ax.text(x, len(rows) - 0.3, title, fontsize=7, fontweight="bold", va="bottom")
    for yi, row in zip(y, rows, strict=True):
        cells = (row.counts, _cell(row), *row.extra)
        for x, cell in zip(left, cells, strict=False):
            ax.text(x, yi, cell, fontsize=7, va="center")


def lcr_forest(
    rows: list[Row],
    horizon: Horizon,
    null: float | None = None,
    pooled: float | None = None,
    headers: tuple[str, ...] = ("Nodules,\nfailures", "LCR (95% CI)"),
    widths: tuple[float, ...] = (0.4, 0.6),
) -> Figure:
    """A forest of local control rates with the printed numbers beside it."""
    with paper():
        fig = new_figure(PAGE_WIDTH, 0.75 + ROW_HEIGHT * len(rows))
        ax, text = fig.subplots(1, 2, width_ratios=[1.2, 0.5 * len(headers)])
        _lcr_axis(ax, rows, horizon, null, pooled)
        _numbers(text, rows, headers, widths)
    return fig


def _counts(row: pd.Series) -> str:
    return f"{int(row['nodules'])}, {int(row['failures'])}"


def sensitivity_figure(table: pd.DataFrame, null: float, horizon: Horizon) -> Figure:
    """The sensitivity analyses in the table's order, the primary first and emphasised."""
    labels = {d.analysis: d.label for d in DERIVATIONS}
    rows = [
        Row(
            labels[r["analysis"]],
            r["estimate"],
            r["ci95_low"],
            r["ci95_high"],
            _counts(r),
            emphasis=r["analysis"] == "primary",
        )
        for _, r in table.iterrows()
    ]
    return lcr_forest(rows, horizon, null=null)


def sites_figure(table: pd.DataFrame, horizon: Horizon) -> Figure:
    """The sites in the table's order (largest first), then the pooled estimate."""
    rows = []
    for _, r in table.iterrows():
        pooled = r["site"] == "pooled"
        label = "All sites" if pooled else f"Site {r['site']}"
        counts = f"{int(r['patients'])}, {_counts(r)}"
        rows.append(
            Row(label, r["estimate"], r["ci95_low"], r["ci95_high"], counts, emphasis=pooled)
        )
    pooled = float(table.loc[table["site"] == "pooled", "estimate"].iloc[0])
    headers = ("Patients, nodules,\nfailures", "LCR (95% CI)")
    return lcr_forest(rows, horizon, pooled=pooled, headers=headers, widths=(0.45, 0.55))


def subgroups_figure(table: pd.DataFrame, horizon: Horizon) -> Figure:
    """Per factor a title row, then its levels (reference first); the cause-specific HR of
    each other level against the reference is printed in the last column."""
    rows = []
    for factor in FACTORS:
        rows.append(Row(factor.label, header=True))
        for _, r in table[table["factor"] == factor.name].iterrows():
            hr = ""
            if not np.isnan(r["hr"]):
                hr = with_interval(r["hr"], r["hr_ci95_low"], r["hr_ci95_high"], Kind.HAZARD_RATIO)
            elif r["level"] != factor.levels[0]:
                hr = NOT_ESTIMABLE
            label = f"   {r['level']}"
            rows.append(
                Row(label, r["estimate"], r["ci95_low"], r["ci95_high"], _counts(r), extra=(hr,))
            )
    headers = ("Nodules,\nfailures", "LCR (95% CI)", "HR (95% CI)")
    return lcr_forest(rows, horizon, headers=headers, widths=(0.25, 0.38, 0.37))


def forest_figure(analysis: str, table: pd.DataFrame, lcr_null: float, horizon: Horizon) -> Figure:
    """The forest of one analysis of amendment 1.2 from its results table, its axis at the
    horizon."""
    if analysis == "sensitivity":
        return sensitivity_figure(table, lcr_null, horizon)
    if analysis == "sites":
        return sites_figure(table, horizon)
    if analysis == "subgroups":
        return subgroups_figure(table, horizon)
    raise ValueError(f"no forest figure for {analysis!r}")
