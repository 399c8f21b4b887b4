"""One paper style for every figure, the numbers-at-risk table, and deterministic saving.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas: no pyplot, so no global
figure registry to leak memory and no dependence on the display. Every figure is built and
saved inside `paper()`, so the rcParams below apply whatever the caller's defaults are.

Choices:

- Sizes follow common journal limits: one column 89 mm, full page width 183 mm, page height at
  most 9 in. Text is 8 pt (labels) and 7 pt (ticks, legends, tables), in DejaVu Sans, the font
  matplotlib ships, so the files do not depend on the fonts of the machine.
- Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies
  and in greyscale by line style where curves share an axis.
- Files are byte-reproducible: PNG without the Software chunk, PDF without dates or producer,
  TrueType (Type 42) fonts embedded in the PDF so text stays text, and a fixed SVG hash salt.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

MM = 1 / 25.4
COLUMN_WIDTH = 89 * MM
PAGE_WIDTH = 183 * MM
MAX_HEIGHT = 9.0
DPI = 300

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"

LABEL_SIZE = 8
SMALL_SIZE = 7

RC = {
    "font.family": "DejaVu Sans",
    "font.size": LABEL_SIZE,
    "axes.titlesize": LABEL_SIZE,
    "axes.labelsize": LABEL_SIZE,
    "xtick.labelsize": SMALL_SIZE,
    "ytick.labelsize": SMALL_SIZE,
    "legend.fontsize": SMALL_SIZE,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=[OKABE_ITO[k] for k in ("blue", "vermillion", "green")]),
    "grid.color": "#EBEBEB",
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.2,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "sbrtlung",
}

PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None}


@contextmanager
def paper() -> Iterator[None]:
    """The paper rcParams for the figures built and saved inside the block."""
    with mpl.rc_context(RC):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A fixed-size figure (inches) on an Agg canvas with constrained layout."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def notice_figure(text: str, width: float = 6.5, height: float = 1.5) -> Figure:
    """A figure that says, in words, why there is nothing to draw (an analysis skipped)."""
    with paper():
        fig = new_figure(width, height)
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=ax.transAxes)
    return fig


def save(fig: Figure, stem: str | Path) -> tuple[Path, Path]:
    """Write `<stem>.png` (300 dpi) and `<stem>.pdf` (vector), both byte-deterministic."""
    stem = Path(stem)
    png, pdf = stem.with_suffix(".png"), stem.with_suffix(".pdf")
    with paper():
        fig.savefig(png, dpi=DPI, metadata=PNG_METADATA)
        fig.savefig(pdf, metadata=PDF_METADATA)
    return png, pdf


def evenly_spaced(n: int, limit: int) -> np.ndarray:
    """Indices of the rows drawn when a figure cannot show all `n`: all of them, or `limit`
    evenly spaced ones, the first and last included (a sample without a random draw)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, limit)).astype(int))


def month_ticks(max_months: float, step: float = 6.0) -> np.ndarray:
    """Ticks 0, step, ... up to the first multiple of `step` at or beyond `max_months`."""
    last = step * max(1, int(np.ceil(max_months / step - 1e-9)))
    return np.arange(0.0, last + step / 2, step)


def numbers_at_risk(aval: ArrayLike, at: ArrayLike) -> np.ndarray:
    """Units still at risk at each time: AVAL >= t (a unit censored at t is still at risk)."""
    ordered = np.sort(np.asarray(aval, dtype=float))
    return ordered.size - np.searchsorted(ordered, np.asarray(at, dtype=float), side="left")


@dataclass(frozen=True)
class RiskRow:
    """One row of the numbers-at-risk table: a curve's label, colour and counts at the ticks."""

    label: str
    color: str
    counts: Sequence[int]


def risk_table_height(n_rows: int) -> float:
    """Inches a table of `n_rows` needs (its title and one line per row)."""
    return 0.12 + 0.14 * n_rows


def draw_at_risk(ax: Axes, ticks: ArrayLike, rows: Sequence[RiskRow], title: str) -> None:
    """Draw the table in `ax`, an axes under the plot sharing its x axis.

    Counts are centred on the plot's ticks; each row is labelled on the left in its curve's
    colour, first curve on top.
    """
    ticks = np.asarray(ticks, dtype=float)
    for i, row in enumerate(rows):
        if len(row.counts) != ticks.size:
            raise ValueError("one count per tick is needed in every row")
        for x, n in zip(ticks, row.counts, strict=True):
            ax.text(
                x,
                i,
                f"{int(n)}",
                ha="center",
                va="center_baseline",
                size=SMALL_SIZE,
                color=row.color,
            )
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), [row.label for row in rows])
    for label, row in zip(ax.get_yticklabels(), rows, strict=True):
        label.set_color(row.color)
    # The count at tick 0 is centred on the axis: keep the row labels clear of its left half.
    digits = max(len(f"{int(n)}") for row in rows for n in row.counts)
    ax.tick_params(axis="y", length=0, labelsize=SMALL_SIZE, pad=3 + 0.35 * digits * SMALL_SIZE)
    ax.tick_params(axis="x", bottom=False, labelbottom=False)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, loc="left", size=SMALL_SIZE, fontweight="bold", pad=2)
