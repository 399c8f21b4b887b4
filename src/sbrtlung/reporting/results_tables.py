"""Manuscript tables of the efficacy and safety results, rendered from the analysis outputs.

Every table is a `Table`: the frame of the cells as printed (its CSV) and their Markdown.
Codes never reach a cell: analysis sets, CI methods and adverse-event terms print in words.
"""

import pandas as pd

from sbrtlung.analysis.efficacy import CI_METHODS as CI_METHOD_TEXTS
from sbrtlung.analysis.safety import GRADES
from sbrtlung.formatter import Kind, n_pct, number, with_interval
from sbrtlung.study import Horizon
from sbrtlung.tables import Table, markdown_table

SETS = {"SAF": "Safety", "EFF": "Efficacy", "PP": "Per protocol"}
# The CI method of rates.csv (efficacy.CI_METHODS) as the table prints it; the caption says
# what each abbreviation stands for.
CI_METHODS = {
    CI_METHOD_TEXTS["cluster_ij"]: "IJ",
    CI_METHOD_TEXTS["percentile_bootstrap"]: "Bootstrap",
    CI_METHOD_TEXTS["greenwood"]: "Greenwood",
}
TERM_LABELS = {"any term": "Any term"}
GE = "\u2265"


def _label(code: str) -> str:
    return TERM_LABELS.get(code, code.replace("_", " ").capitalize())


def _median_text(row: pd.Series) -> str:
    limits = (row["lower95_months"], row["upper95_months"])
    return with_interval(row["months"], *limits, Kind.MONTHS)


def efficacy_table(rates: pd.DataFrame, medians: pd.DataFrame, horizon: Horizon) -> Table:
    """One row per named rate: units (events), the estimates at one year and at the horizon
    with 95% CIs, medians."""
    median = {row["key"]: _median_text(row) for _, row in medians.iterrows()}
    rows = []
    for key, group in rates.groupby("key", sort=False):
        by_time = group.set_index("time")
        first = group.iloc[0]
        cells = {
            f"{years}, % (95% CI)": with_interval(
                *by_time.loc[time, ["estimate", "lower95", "upper95"]], Kind.PROPORTION
            )
            for time, years in horizon.time_labels.items()
        }
        rows.append(
            {
                "Endpoint": first["label"],
                "Set": SETS[first["population"]],
                "Units (events)": f"{first['n_units']} ({first['n_events']})",
                **cells,
                "Median, months (95% CI)": median.get(key, ""),
                "CI method": CI_METHODS[first["ci_method"]],
            }
        )
    rows.append(
        {
            "Endpoint": "Follow-up (reverse Kaplan-Meier)",
            "Set": SETS["SAF"],
            "Median, months (95% CI)": median["follow_up"],
        }
    )
    frame = pd.DataFrame(rows).fillna("")
    return Table(frame, markdown_table(frame, "llrrrrl"))


def worst_grade_frame(table: pd.DataFrame, subset: str, phase: str) -> pd.DataFrame:
    """Patients by worst grade per term, 'n (%)' of the safety set; with no such event, one
    row saying so (still a table: the paper cross-references it as one)."""
    chosen = table[(table["subset"] == subset) & (table["phase"] == phase)]
    columns = {f"grade{g}": f"Grade {g}" for g in GRADES} | {
        "any": "Any grade",
        "grade3plus": f"Grade {GE}3",
    }
    if chosen.empty:  # still a table: the paper cross-references it as one
        none = {"Term": "No adverse event in this category"} | dict.fromkeys(columns.values(), "")
        return pd.DataFrame([none])
    out = pd.DataFrame({"Term": chosen["term"].map(_label)})
    for column, title in columns.items():
        out[title] = [n_pct(n, total) for n, total in zip(chosen[column], chosen["N"], strict=True)]
    return out


def trae_table(worst_grade: pd.DataFrame) -> Table:
    """Treatment-related adverse events over the whole follow-up (the article's table)."""
    frame = worst_grade_frame(worst_grade, "treatment-related", "all")
    return Table(frame, markdown_table(frame))


GRADE5_COLUMNS = {
    "patient": "Patient",
    "term": "Term",
    "attribution": "Attribution",
    "onset_day_from_sbrt": "Onset, day from first SBRT",
    "death_day_from_sbrt": "Death, day from first SBRT",
    "cause_of_death": "Cause of death",
}


def grade5_frame(grade5: pd.DataFrame) -> pd.DataFrame:
    """The grade 5 listing with its codes in words."""
    out = grade5.rename(columns=GRADE5_COLUMNS)
    for column in ("Term", "Attribution", "Cause of death"):
        out[column] = out[column].map(lambda code: _label(str(code)))
    return out


def ae_supplement(worst_grade: pd.DataFrame, grade5: pd.DataFrame) -> Table:
    """The supplement's adverse-event tables: acute, late and all-cause, and grade 5 events.

    The frame stacks every table with its `table` title; the Markdown gives each its caption.
    """
    frames, parts = [], []
    for subset in ("treatment-related", "all-cause"):
        for phase in ("acute", "late", "all"):
            if (subset, phase) == ("treatment-related", "all"):
                continue  # the article's table
            when = "over the whole follow-up" if phase == "all" else f"{phase} phase"
            title = f"{subset.capitalize()} adverse events, {when}"
            frame = worst_grade_frame(worst_grade, subset, phase)
            frames.append(frame.assign(table=title))
            caption = (
                f"{title}: patients by worst CTCAE v5.0 grade per term, n (%) of the safety set."
            )
            label = f"tbl-ae-{subset.split('-')[0]}-{phase}"
            parts.append(markdown_table(frame, caption=caption, label=label))
    listing = grade5_frame(grade5)
    frames.append(listing.assign(table="Grade 5 events"))
    caption = "Grade 5 adverse events, with their timing from the first SBRT fraction."
    parts.append(
        markdown_table(listing, "lllrrl", caption, "tbl-ae-grade5")
        if len(listing)
        else "Grade 5 adverse events: none.\n"
    )
    frame = pd.concat(frames, ignore_index=True)
    return Table(frame[["table", *[c for c in frame.columns if c != "table"]]], "\n".join(parts))


def pattern_table(pattern: pd.DataFrame) -> Table:
    """First failure sites, as n (% of the safety set) and % of the patients who failed."""
    failed = pattern["n_failed"].iloc[0]
    frame = pd.DataFrame(
        {
            "First failure": pattern["first_failure"].str.capitalize(),
            "Patients, n (% of safety set)": [
                n_pct(n, total) for n, total in zip(pattern["n"], pattern["N"], strict=True)
            ],
            "% of patients with a failure": [
                number(n / failed, Kind.PROPORTION) if f != "no failure" and failed else ""
                for n, f in zip(pattern["n"], pattern["first_failure"], strict=True)
            ],
        }
    )
    return Table(frame, markdown_table(frame))


def efficacy_tables(
    rates: pd.DataFrame, medians: pd.DataFrame, pattern: pd.DataFrame, horizon: Horizon
) -> dict:
    """The efficacy rule's tables by name: the rates and medians, the pattern of failure."""
    return {
        "efficacy": efficacy_table(rates, medians, horizon),
        "pattern": pattern_table(pattern),
    }


def safety_tables(worst_grade: pd.DataFrame, grade5: pd.DataFrame) -> dict:
    """The safety rule's tables by name: the TRAE table of the paper, the supplement's."""
    return {"trae": trae_table(worst_grade), "supplement": ae_supplement(worst_grade, grade5)}
