"""Key results and tables of the analyses of SAP amendment 1.2: TRAE by worst grade (1.2b),
the sensitivity analyses (1.2c), the sites (1.2d) and the subgroups (1.2e)."""

import numpy as np
import pandas as pd

from sbrtlung.adam.lf_sensitivity import DERIVATIONS
from sbrtlung.analysis.sensitivity import robust
from sbrtlung.analysis.subgroups import FACTORS
from sbrtlung.analysis.trae_grades import grade3plus_upper
from sbrtlung.formatter import NOT_ESTIMABLE, Kind, in_sentence, n_pct, number, with_interval
from sbrtlung.tables import Table, markdown_table

GE = "≥"
P_THRESHOLD = 0.05  # the nominal level the paper counts subgroup p-values against
DECISIONS = {"yes": "success", "no": "no success", "not estimable": NOT_ESTIMABLE}


def _typed(value, kind: Kind) -> dict:
    return {"kind": kind.value, "value": value}


def _lcr(row: pd.Series) -> dict:
    return {
        "kind": Kind.PROPORTION.value,
        "estimate": row["estimate"],
        "ci95": [row["ci95_low"], row["ci95_high"]],
        "n": int(row["nodules"]),
        "events": int(row["failures"]),
    }


def key_entries(
    trae_by_grade: pd.DataFrame,
    n_safety: int,
    sensitivity: pd.DataFrame,
    sites: pd.DataFrame,
    heterogeneity: dict,
    subgroups: pd.DataFrame,
) -> dict:
    """The numbers the paper quotes from these analyses, under `key_results` keys."""
    rows = {str(r["grade"]): r for _, r in trae_by_grade.iterrows()}
    grades = {
        ("grade_" + g.replace(">=", "") + ("plus" if g.startswith(">=") else "")): {
            "kind": Kind.PROPORTION.value,
            "estimate": r["patients"] / n_safety,
            "ci95": [r["ci95_low"], r["ci95_high"]],
            "n": int(r["patients"]),
            "N": n_safety,
        }
        for g, r in rows.items()
    }
    summary = robust(sensitivity)
    same = summary["n_same_decision"] == summary["n_analyses"]
    sens = {r["analysis"]: _lcr(r) | {"success": r["success"]} for _, r in sensitivity.iterrows()}
    sens["summary"] = {
        "n_analyses": summary["n_analyses"],
        "n_same_decision": summary["n_same_decision"],
        "all_same_decision": same,
        "estimate_range": _typed(
            [summary["estimate_min"], summary["estimate_max"]], Kind.PROPORTION
        ),
        "sentence": (
            "every sensitivity analysis stated the primary analysis's decision"
            if same
            else f"{summary['n_same_decision']} of the {summary['n_analyses']} sensitivity "
            "analyses stated the primary analysis's decision"
        ),
    }
    site_rows = sites[sites["site"] != "pooled"]
    excluded = heterogeneity["excluded"]
    sites_entry = {
        "n": len(site_rows),
        "k": heterogeneity["k"],
        "i2": _typed(heterogeneity["i2"], Kind.PROPORTION),
        "tau2": _typed(heterogeneity["tau2"], Kind.NUMBER),
        "excluded": list(excluded),
        "excluded_text": ", ".join(excluded) if excluded else "none",
    }
    estimated = site_rows.dropna(subset=["estimate"])
    for name, pick in (("lowest", "idxmin"), ("highest", "idxmax")):
        row = estimated.loc[getattr(estimated["estimate"], pick)()] if len(estimated) else None
        sites_entry[name] = (
            _lcr(row)
            if row is not None
            else {"kind": Kind.PROPORTION.value, "estimate": None, "ci95": [None, None]}
        )
    tested = subgroups.dropna(subset=["p"])
    smallest = tested.loc[tested["p"].idxmin()] if len(tested) else None
    subgroup_entry = {
        "n_factors": len(FACTORS),
        "threshold": _typed(P_THRESHOLD, Kind.NUMBER),
        "n_p_below_005": int((tested["p"] < P_THRESHOLD).sum()),
        "smallest_p": _typed(None if smallest is None else smallest["p"], Kind.P_VALUE),
        "smallest_p_level": "none" if smallest is None else f"{smallest['level']}",
    }
    return {
        "trae_by_grade": grades,
        "trae_grade3plus_upper95_one_sided": grade3plus_upper(trae_by_grade, n_safety),
        "sensitivity": sens,
        "sites": sites_entry,
        "subgroups": subgroup_entry,
    }


def _ci(row: pd.Series, low: str = "ci95_low", high: str = "ci95_high", kind=Kind.PROPORTION):
    if pd.isna(row["estimate" if kind is Kind.PROPORTION else "hr"]):
        return NOT_ESTIMABLE
    point = row["estimate"] if kind is Kind.PROPORTION else row["hr"]
    return with_interval(point, row[low], row[high], kind)


def trae_by_grade_table(table: pd.DataFrame, n_safety: int) -> Table:
    """Patients by worst TRAE grade, n (%) with the Clopper-Pearson 95% CI."""
    labels = {"any": "Any grade", ">=3": f"Grade {GE}3"}
    shown = pd.DataFrame(
        {
            "Worst grade": [labels.get(str(g), f"Grade {g}") for g in table["grade"]],
            "Patients, n (%)": [n_pct(int(n), n_safety) for n in table["patients"]],
            "95% CI (%)": [
                f"{number(lo, Kind.PROPORTION, False)}–{number(hi, Kind.PROPORTION, False)}"
                for lo, hi in zip(table["ci95_low"], table["ci95_high"], strict=True)
            ],
        }
    )
    return Table(table, markdown_table(shown, "lrr"))


def sensitivity_table(table: pd.DataFrame) -> Table:
    labels = {d.analysis: d.label for d in DERIVATIONS}
    shown = pd.DataFrame(
        {
            "Analysis": table["analysis"].map(labels),
            "Nodules": table["nodules"],
            "Failures": table["failures"],
            "LCR (95% CI)": [_ci(r) for _, r in table.iterrows()],
            "Lower decision limit": [
                NOT_ESTIMABLE if pd.isna(v) else number(v, Kind.PROPORTION)
                for v in table["decision_low"]
            ],
            "Decision": table["success"].map(DECISIONS),
        }
    )
    return Table(table, markdown_table(shown, "lrrlrl"))


def sites_table(table: pd.DataFrame) -> Table:
    shown = pd.DataFrame(
        {
            "Site": ["All sites" if s == "pooled" else f"Site {s}" for s in table["site"]],
            "Patients": table["patients"],
            "Nodules": table["nodules"],
            "Failures": table["failures"],
            "LCR (95% CI)": [_ci(r) for _, r in table.iterrows()],
        }
    )
    return Table(table, markdown_table(shown, "lrrrl"))


def subgroups_table(table: pd.DataFrame) -> Table:
    labels = {f.name: f.label for f in FACTORS}
    shown = pd.DataFrame(
        {
            "Factor": table["factor"].map(labels),
            "Level": table["level"].map(in_sentence),
            "Nodules": table["nodules"],
            "Failures": table["failures"],
            "LCR (95% CI)": [_ci(r) for _, r in table.iterrows()],
            "HR (95% CI)": [
                "reference" if i == 0 else _ci(r, "hr_ci95_low", "hr_ci95_high", Kind.HAZARD_RATIO)
                for i, (_, r) in zip(
                    table.groupby("factor", sort=False).cumcount(), table.iterrows(), strict=True
                )
            ],
            "p": [number(p, Kind.P_VALUE) if not np.isnan(p) else "" for p in table["p"]],
        }
    )
    shown["Factor"] = shown["Factor"].where(table.groupby("factor", sort=False).cumcount() == 0, "")
    return Table(table, markdown_table(shown, "llrrllr"))


def supplementary_tables(
    trae_by_grade: pd.DataFrame,
    n_safety: int,
    sensitivity: pd.DataFrame,
    sites: pd.DataFrame,
    subgroups: pd.DataFrame,
) -> dict[str, Table]:
    """The four tables, keyed by the rule's output names."""
    return {
        "trae_by_grade": trae_by_grade_table(trae_by_grade, n_safety),
        "sensitivity": sensitivity_table(sensitivity),
        "site_lcr": sites_table(sites),
        "subgroups": subgroups_table(subgroups),
    }
