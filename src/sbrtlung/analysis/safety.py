"""Safety analyses of SAP 4 on the safety set: incidences with exact CIs, worst-grade tables.

A patient counts once per term at the worst grade of that term, and once overall at the
worst grade of any term; percentages are of the whole safety set.
"""

from dataclasses import dataclass

import pandas as pd

from sbrtlung.analysis.estimators import clopper_pearson

GRADES = (1, 2, 3, 4, 5)


def incidence(adae: pd.DataFrame, n_safety: int, min_grade: int, related: bool) -> dict:
    """Patients with at least one (treatment-related) AE of grade >= min_grade, with 95% CI."""
    rows = adae[adae["AETOXGR"] >= min_grade]
    if related:
        rows = rows[rows["TRAEFL"]]
    n = int(rows["USUBJID"].nunique())
    ci = clopper_pearson(n, n_safety, 0.95)
    return {"n": n, "N": n_safety, "estimate": ci.estimate, "ci95": [ci.lower, ci.upper]}


def worst_grade_table(adae: pd.DataFrame, n_safety: int) -> pd.DataFrame:
    """Per term: patients by worst grade 1-5, any grade and grade >= 3, most frequent first.

    The first row, "any term", counts each patient once at the worst grade of any term.
    """
    worst = adae.groupby(["AETERM", "USUBJID"])["AETOXGR"].max().reset_index()
    overall = adae.groupby("USUBJID")["AETOXGR"].max().reset_index().assign(AETERM="any term")
    records = []
    for term, rows in pd.concat([overall, worst]).groupby("AETERM", sort=False):
        grade = rows["AETOXGR"].astype(int)
        record = {"term": term, "N": n_safety}
        record |= {f"grade{g}": int((grade == g).sum()) for g in GRADES}
        record |= {"any": len(grade), "grade3plus": int((grade >= 3).sum())}
        records.append(record)
    columns = ["term", "N", *[f"grade{g}" for g in GRADES], "any", "grade3plus"]
    table = pd.DataFrame(records, columns=columns)
    table["_first"] = table["term"] != "any term"
    table = table.sort_values(
        ["_first", "any", "grade3plus", "term"], ascending=[True, False, False, True], kind="stable"
    )
    return table.drop(columns="_first").reset_index(drop=True)


def worst_grade_tables(adae: pd.DataFrame, n_safety: int) -> pd.DataFrame:
    """Worst-grade tables of TRAEs and of all AEs, over all phases, acute and late."""
    frames = []
    for subset, rows in (("treatment-related", adae[adae["TRAEFL"]]), ("all-cause", adae)):
        for phase in ("all", "acute", "late"):
            chosen = rows if phase == "all" else rows[rows["PHASE"] == phase]
            table = worst_grade_table(chosen, n_safety)
            frames.append(table.assign(subset=subset, phase=phase))
    out = pd.concat(frames, ignore_index=True)
    return out[["subset", "phase", *[c for c in out.columns if c not in ("subset", "phase")]]]


def grade5_listing(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Every grade 5 event with its timing relative to SBRT and the recorded cause of death."""
    rows = adae[adae["AETOXGR"] == 5].merge(
        adsl[["USUBJID", "TRTSDY", "DTHDY", "DTHCAUS"]], on="USUBJID", how="left"
    )
    return pd.DataFrame(
        {
            "patient": rows["USUBJID"],
            "term": rows["AETERM"],
            "attribution": rows["AEREL"],
            "onset_day_from_sbrt": rows["ASTDY"] - rows["TRTSDY"],
            "death_day_from_sbrt": rows["DTHDY"] - rows["TRTSDY"],
            "cause_of_death": rows["DTHCAUS"],
        }
    ).sort_values(["patient", "onset_day_from_sbrt"], kind="stable")


def summary(adae: pd.DataFrame, n_safety: int) -> dict:
    """The incidences the paper quotes: any and grade >= 3 AEs, treatment-related or not."""
    return {
        "trae_any": incidence(adae, n_safety, 1, related=True),
        "trae_grade3plus": incidence(adae, n_safety, 3, related=True),
        "ae_any": incidence(adae, n_safety, 1, related=False),
        "ae_grade3plus": incidence(adae, n_safety, 3, related=False),
        "n_grade5": int(adae.loc[adae["AETOXGR"] == 5, "USUBJID"].nunique()),
    }


@dataclass(frozen=True)
class SafetyResults:
    """What the safety rule writes: the quoted incidences, worst-grade tables, grade 5 listing."""

    summary: dict
    worst_grade: pd.DataFrame
    grade5: pd.DataFrame


def analyse(adae: pd.DataFrame, adsl: pd.DataFrame) -> SafetyResults:
    """Every safety result on the safety set, which is also every percentage's denominator."""
    n_safety = int(adsl["SAFFL"].sum())
    return SafetyResults(
        summary(adae, n_safety), worst_grade_tables(adae, n_safety), grade5_listing(adae, adsl)
    )
