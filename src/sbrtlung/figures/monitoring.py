"""The continuous toxicity monitoring figure (SAP 1.2g): events against evaluable patients.

The cumulative number of patients with a grade >= 3 treatment-related AE is drawn step by step
as patients become evaluable, with the boundary b_n over the whole planned sample size; the
boundary is crossed where the event curve reaches the shaded region. Integer axes, since both
counts are whole patients; the first crossing, if any, is marked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sbrtlung.figures.style import COLUMN_WIDTH, GREY, LIGHT_GREY, OKABE_ITO, new_figure, paper


def toxicity_figure(path: pd.DataFrame, table: pd.DataFrame, p0: float, alpha: float) -> Figure:
    """`path`: N, EVENTS and BOUNDARY per evaluable patient (`monitoring.toxicity.sequence`);
    `table`: n and boundary for n = 1..N."""
    n = table["n"].to_numpy()
    bound = table["boundary"].to_numpy()
    with paper():
        fig = new_figure(COLUMN_WIDTH * 1.5, 2.8)
        ax = fig.subplots()
        top = int(max(bound.max(), path["EVENTS"].max() if len(path) else 0)) + 1
        x = np.concatenate(([0], n))
        b = np.concatenate(([bound[0]], bound))
        # b_n holds for the n-th patient, on (n - 1, n]; the events after patient n from n on.
        ax.fill_between(x, b, top, step="pre", color=LIGHT_GREY, lw=0, label="Stopping region")
        ax.step(
            x, b, where="pre", color=GREY, lw=1.0, label=f"Boundary (p0 {p0:g}, alpha {alpha:g})"
        )
        if len(path):
            xs = np.concatenate(([0], path["N"].to_numpy()))
            ys = np.concatenate(([0], path["EVENTS"].to_numpy()))
            ax.step(xs, ys, where="post", color=OKABE_ITO["vermillion"], label="Observed events")
            hit = path[path["EVENTS"] >= path["BOUNDARY"]]
            if len(hit):
                first = hit.iloc[0]
                ax.plot(
                    first["N"],
                    first["EVENTS"],
                    "o",
                    color=OKABE_ITO["black"],
                    ms=4,
                    label=f"First crossing (n = {int(first['N'])})",
                )
        ax.set_xlim(0, n[-1])
        ax.set_ylim(0, top)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Evaluable patients")
        ax.set_ylabel("Patients with grade ≥3 TRAE")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
    return fig
