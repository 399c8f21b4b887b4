"""Manuscript tables of the efficacy and safety results, rendered from the analysis outputs."""

import pandas as pd

from sbrtlung.formatting import estimate_ci, markdown_table, n_pct, number, percent

TERM_LABELS = {"any term": "Any term"}


def _label(code: str) -> str:
    return TERM_LABELS.get(code, code.replace("_", " ").capitalize())


def _median_text(row: pd.Series) -> str:
    if row["months"] != row["months"]:
        return "not reached"
    limits = f"{number(row['lower95_months'])}-{number(row['upper95_months'])}"
    return f"{number(row['months'])} ({limits})"


def efficacy_table(rates: pd.DataFrame, medians: pd.DataFrame) -> pd.DataFrame:
    """One row per named rate: units (events), 1- and 2-year estimates with 95% CIs, medians."""
    median = {row["key"]: _median_text(row) for _, row in medians.iterrows()}
    rows = []
    for key, group in rates.groupby("key", sort=False):
        by_time = group.set_index("time")
        first = group.iloc[0]
        rows.append(
            {
                "Endpoint": first["label"],
                "Set": first["population"],
                "Units (events)": f"{first['n_units']} ({first['n_events']})",
                "1 year, % (95% CI)": estimate_ci(
                    *by_time.loc["1y", ["estimate", "lower95", "upper95"]]
                ),
                "2 years, % (95% CI)": estimate_ci(
                    *by_time.loc["2y", ["estimate", "lower95", "upper95"]]
                ),
                "Median, months (95% CI)": median.get(key, ""),
                "CI method": first["ci_method"],
            }
        )
    rows.append(
        {
            "Endpoint": "Follow-up (reverse Kaplan-Meier)",
            "Set": "SAF",
            "Median, months (95% CI)": median["follow_up"],
        }
    )
    return pd.DataFrame(rows).fillna("")


def worst_grade_markdown(table: pd.DataFrame, subset: str, phase: str) -> str:
    """Patients by worst grade per term, 'n (%)' of the safety set."""
    chosen = table[(table["subset"] == subset) & (table["phase"] == phase)]
    columns = {f"grade{g}": f"Grade {g}" for g in range(1, 6)} | {
        "any": "Any grade",
        "grade3plus": "Grade >= 3",
    }
    if chosen.empty:  # still a table: the paper cross-references it as one
        none = {"Term": "No adverse event in this category"} | dict.fromkeys(columns.values(), "")
        return markdown_table(pd.DataFrame([none]))
    out = pd.DataFrame({"Term": chosen["term"].map(_label)})
    for column, title in columns.items():
        out[title] = [n_pct(n, total) for n, total in zip(chosen[column], chosen["N"], strict=True)]
    return markdown_table(out)


def pattern_table(pattern: pd.DataFrame) -> pd.DataFrame:
    """First failure sites, as n (% of the safety set) and % of the patients who failed."""
    failed = pattern["n_failed"].iloc[0]
    return pd.DataFrame(
        {
            "First failure": pattern["first_failure"].str.capitalize(),
            "Patients, n (% of safety set)": [
                n_pct(n, total) for n, total in zip(pattern["n"], pattern["N"], strict=True)
            ],
            "% of patients with a failure": [
                percent(n / failed) if f != "no failure" and failed else ""
                for n, f in zip(pattern["n"], pattern["first_failure"], strict=True)
            ],
        }
    )
