"""Swimmer plot: each safety-set patient's follow-up from first SBRT, with their events.

One horizontal bar per SAF patient from the first SBRT start (TRTSDY) to the last day known
alive (LSTALVDY: the death day, or the last contact), in months, the longest follow-up on top.
Drawn from ADSL and ADTTE only.

Choices where the SAP is silent:

- The SBRT period is the first start to the last end of the patient's courses, both days
  included (so a single-fraction course is visible), drawn darker over the start of the bar.
- Local failure is marked for every lesion that failed (ADTTE LF events), so a patient can carry
  more than one; regional and distant failure are the first of each (RR and DM events); death
  closes the bar, an arrow at the end of the bar means alive at last contact, and an open
  circle alive but lost to follow-up (ADSL LTFUFL: no contact in the year before the data
  cut), so that a patient whose follow-up simply ends is not read as one still followed.
- Up to `MAX_PATIENTS` (150) patients every patient is drawn. Beyond that, 150 patients evenly
  spaced in the follow-up order (ranks rounded from an even grid, the shortest and the longest
  included) are drawn, so the spread of follow-up is kept without a random draw, and the y-axis
  label says how many of how many. Rows get thinner as they get more numerous, so the figure
  never exceeds the page height.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sbrtlung.adam.endpoints import BY_PARAMCD
from sbrtlung.figures.style import (
    GREY,
    LIGHT_GREY,
    MAX_HEIGHT,
    OKABE_ITO,
    PAGE_WIDTH,
    SMALL_SIZE,
    evenly_spaced,
    month_ticks,
    new_figure,
    paper,
)

MAX_PATIENTS = 150
ROW_INCHES = 0.07  # row pitch for small cohorts
FRAME_INCHES = 1.1  # legend, time axis and margins
MIN_HEIGHT = 2.5
BAR_GID = "follow-up"

# Event kind -> legend label, marker, colour, size factor, filled; drawn in this order.
MARKERS = {
    "local": ("Local failure (per nodule)", "^", OKABE_ITO["vermillion"], 1.0, True),
    "regional": ("Regional failure (first)", "s", OKABE_ITO["green"], 0.85, True),
    "distant": ("Distant failure (first)", "D", OKABE_ITO["blue"], 0.8, True),
    "death": ("Death", "X", OKABE_ITO["black"], 1.0, True),
    "alive": ("Alive at last contact", ">", GREY, 0.9, True),
    "lost": ("Lost to follow-up", "o", OKABE_ITO["black"], 0.8, False),
}
EVENTS = {code: BY_PARAMCD[code].site for code in ("LF", "RR", "DM")}


def swimmer_data(adsl: pd.DataFrame, month_days: float) -> pd.DataFrame:
    """One row per SAF patient: follow-up and SBRT period in months, death and lost-to-follow-up
    flags; sorted by follow-up (shortest first, ties by USUBJID)."""
    saf = adsl[adsl["SAFFL"]]
    origin = saf["TRTSDY"].astype(float)
    bars = pd.DataFrame(
        {
            "USUBJID": saf["USUBJID"].to_numpy(),
            "FOLLOWUP": ((saf["LSTALVDY"].astype(float) - origin) / month_days).to_numpy(),
            "SBRT": ((saf["TRTEDY"].astype(float) - origin + 1) / month_days).to_numpy(),
            "DEAD": saf["DTHFL"].to_numpy(dtype=bool),
            "LOST": saf["LTFUFL"].to_numpy(dtype=bool),
        }
    )
    return bars.sort_values(["FOLLOWUP", "USUBJID"], kind="stable").reset_index(drop=True)


def swimmer_events(adsl: pd.DataFrame, adtte: pd.DataFrame, month_days: float) -> pd.DataFrame:
    """Events of SAF patients in months from their first SBRT: KIND local/regional/distant
    (ADTTE events) and death (ADSL)."""
    saf = adsl[adsl["SAFFL"]].set_index("USUBJID")
    rows = adtte[adtte["PARAMCD"].isin(list(EVENTS)) & (adtte["EVNT"] == 1)]
    rows = rows[rows["USUBJID"].isin(saf.index)]
    failures = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].to_numpy(),
            "KIND": rows["PARAMCD"].map(EVENTS).to_numpy(),
            "DAY": rows["ADY"].to_numpy(dtype=float),
        }
    )
    dead = saf[saf["DTHFL"]]
    deaths = pd.DataFrame(
        {"USUBJID": dead.index.to_numpy(), "KIND": "death", "DAY": dead["DTHDY"].astype(float)}
    )
    events = pd.concat([failures, deaths], ignore_index=True)
    events["MONTH"] = (events["DAY"] - events["USUBJID"].map(saf["TRTSDY"]).astype(float)) / (
        month_days
    )
    return events.drop(columns="DAY").sort_values(["USUBJID", "KIND", "MONTH"], kind="stable")


def swimmer_figure(
    adsl: pd.DataFrame, adtte: pd.DataFrame, *, month_days: float, max_patients: int = MAX_PATIENTS
) -> Figure:
    """The swimmer plot of the safety set (see the module docstring)."""
    bars = swimmer_data(adsl, month_days)
    n_saf = len(bars)
    if n_saf == 0:
        raise ValueError("ADSL has no safety-set patient")
    bars = bars.iloc[evenly_spaced(n_saf, max_patients)].reset_index(drop=True)
    y = pd.Series(np.arange(len(bars)), index=bars["USUBJID"])
    events = swimmer_events(adsl, adtte, month_days)
    events = events[events["USUBJID"].isin(y.index)]

    plot_inches = min(ROW_INCHES * len(bars), MAX_HEIGHT - FRAME_INCHES)
    pitch_points = 72 * plot_inches / len(bars)
    marker_points = min(5.0, 0.9 * pitch_points)
    ticks = month_ticks(float(bars["FOLLOWUP"].max()))
    with paper():
        fig = new_figure(PAGE_WIDTH, max(MIN_HEIGHT, plot_inches + FRAME_INCHES))
        ax = fig.add_subplot()
        follow = ax.barh(y, bars["FOLLOWUP"], height=0.6, color=LIGHT_GREY, linewidth=0)
        for patch in follow:
            patch.set_gid(BAR_GID)
        ax.barh(y, bars["SBRT"], height=0.6, color=GREY, linewidth=0)
        points = {
            kind: (frame["MONTH"], y[frame["USUBJID"]])
            for kind, frame in events.groupby("KIND", sort=False)
        }
        for kind, chosen in (
            ("alive", bars[~bars["DEAD"] & ~bars["LOST"]]),
            ("lost", bars[~bars["DEAD"] & bars["LOST"]]),
        ):
            points[kind] = (chosen["FOLLOWUP"], y[chosen["USUBJID"]])
        handles = [Patch(color=LIGHT_GREY, label="Follow-up"), Patch(color=GREY, label="SBRT")]
        for kind, (label, marker, color, size, filled) in MARKERS.items():
            x, rows = points.get(kind, ([], []))
            style = {
                "linestyle": "none",
                "marker": marker,
                "color": color,
                "markerfacecolor": color if filled else "white",
                "markeredgewidth": 0 if filled else 0.8,
            }
            ax.plot(x, rows, markersize=marker_points * size, clip_on=False, **style)
            handles.append(Line2D([], [], markersize=5 * size, label=label, **style))
        ax.set_xticks(ticks)
        ax.set_xlim(0, ticks[-1])
        ax.set_xlabel("Months since first SBRT")
        ax.set_ylim(-0.7, len(bars) - 0.3)
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
        shown = f"n = {n_saf}" if len(bars) == n_saf else f"{len(bars)} of {n_saf} shown"
        ax.set_ylabel(f"Patients ({shown})")
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.01),
            ncols=4,
            borderaxespad=0,
            fontsize=SMALL_SIZE,
            handlelength=1.5,
            columnspacing=1.5,
        )
    return fig
