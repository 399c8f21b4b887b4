"""CONSORT-style flow diagram drawn from `flow.flow_counts`: boxes and arrows, no typed numbers."""

from matplotlib.figure import Figure

from sbrtlung.figures.style import GREY, PAGE_WIDTH, new_figure, paper

REASONS = {
    "inclusion_not_met": "Inclusion criteria not met",
    "exclusion_met": "Exclusion criteria met",
    "declined_consent": "Declined consent",
    "other": "Other reason",
}
BOX = {"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": "black", "linewidth": 0.6}


def _lines(*rows: str) -> str:
    return "\n".join(rows)


def consort_figure(c: dict) -> Figure:
    """Screened -> enrolled -> treated (safety set) -> follow-up -> analysed, with exclusions
    (the reasons in the order of REASONS, whatever the order of the counts)."""
    counts = c["not_eligible_by_reason"]
    reasons = [f"  {label} (n = {counts[r]})" for r, label in REASONS.items() if counts.get(r)]
    main_x, side_x = 0.30, 0.56
    with paper():
        fig = new_figure(PAGE_WIDTH, 5.0)
        fig.set_layout_engine("none")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)

        def box(x, y, text, ha="center"):
            return ax.text(x, y, text, ha=ha, va="center", bbox=BOX, fontsize=7, ma="left"
                           if ha == "left" else "center")  # fmt: skip

        def arrow(start, end, start_at=(0.5, 0.0), end_at=(0.5, 1.0)):
            """From a box (or a data point) to a box, touching the box frames."""
            data = not hasattr(start, "get_window_extent")
            ax.annotate(
                "", xy=end_at, xycoords=end, xytext=start if data else start_at,
                textcoords="data" if data else start,
                arrowprops={"arrowstyle": "-|>", "color": GREY, "lw": 0.8,
                            "shrinkA": 0 if data else 4, "shrinkB": 4},
            )  # fmt: skip

        levels = {"screen": 0.94, "enrol": 0.70, "treat": 0.52, "follow": 0.33, "analyse": 0.09}
        screened = box(main_x, levels["screen"], f"Screened (n = {c['screened']})")
        exclusions = [f"Not eligible (n = {c['not_eligible']})", *reasons]
        if c["eligible_not_enrolled"]:
            exclusions.append(f"Eligible, not enrolled (n = {c['eligible_not_enrolled']})")
        middle_screen = (levels["screen"] + levels["enrol"]) / 2
        excluded = box(side_x, middle_screen, _lines(*exclusions), ha="left")
        enrolled = box(
            main_x, levels["enrol"], f"Enrolled (n = {c['enrolled']}) at {c['sites']} sites"
        )
        middle_enrol = (levels["enrol"] + levels["treat"]) / 2
        untreated = box(
            side_x, middle_enrol, f"No SBRT fraction delivered (n = {c['not_treated']})", ha="left"
        )
        treated = box(
            main_x,
            levels["treat"],
            _lines(
                f"Treated with SBRT: safety set (n = {c['safety']})",
                f"{c['lesions_treated']} nodules treated"
                + (f", {c['lesions_not_treated']} not treated" if c["lesions_not_treated"] else ""),
            ),
        )
        follow = box(
            main_x,
            levels["follow"],
            _lines(
                "Follow-up",
                f"Died (n = {c['died']})",
                f"Lost to follow-up (n = {c['lost_to_follow_up']})",
                f"Alive in follow-up (n = {c['alive_in_follow_up']})",
            ),
        )
        analysed = [
            (0.14, _lines("Local control (per nodule)", f"{c['lesions_treated']} nodules",
                          f"of {c['safety']} patients")),
            (0.38, _lines("Patient endpoints", "(OS, PFS, local, regional,", "distant failure)",
                          f"n = {c['safety']}")),
            (0.62, _lines("Efficacy set", f"n = {c['efficacy']}",
                          f"(no follow-up scan: {c['no_follow_up_scan']})")),
            (0.86, _lines("Per-protocol set", f"n = {c['per_protocol']}",
                          f"(incomplete course: {c['not_per_protocol']})")),
        ]  # fmt: skip
        ax.text(0.02, levels["analyse"] + 0.12, "Analysed", fontsize=8, fontweight="bold")
        arrow(screened, enrolled)
        arrow(enrolled, treated)
        arrow(treated, follow)
        arrow((main_x, middle_screen), excluded, end_at=(0.0, 0.5))
        arrow((main_x, middle_enrol), untreated, end_at=(0.0, 0.5))
        for x, text in analysed:
            arrow(follow, box(x, levels["analyse"], text))
    return fig
