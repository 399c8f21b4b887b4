"""`key_results.json`: every number the manuscript quotes, under stable keys.

Proportions are in 0-1 (never percent), times in the unit their key names, CIs as
[lower, upper]. Missing values are JSON null. The file is written with sorted keys and a
fixed float representation, so the same results give the same bytes.
"""

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd


def _clean(value: Any) -> Any:
    """Plain JSON types; NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_json(data: dict, path: str | Path) -> None:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    text = json.dumps(_clean(data), sort_keys=True, indent=2, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def interval_key(level: float) -> str:
    """The key of a CI at a two-sided level: 0.9 -> 'ci90', 0.95 -> 'ci95', 0.975 -> 'ci97_5'."""
    return "ci" + f"{round(100 * level, 6):g}".replace(".", "_")


def rate_entry(rates: pd.DataFrame, key: str, time: str, decision: bool = False) -> dict:
    """One rate as {estimate, ci95, n, events, ci_method}.

    With `decision`, also its interval at the decision level 1 - 2 alpha, both under the
    level's own key (`ci90` at alpha 0.05) and as `ci_decision` with `decision_level`, so the
    paper can quote it whatever alpha the config sets.
    """
    row = rates[(rates["key"] == key) & (rates["time"] == time)].iloc[0]
    entry = {
        "estimate": row["estimate"],
        "ci95": [row["lower95"], row["upper95"]],
        "n": row["n_units"],
        "events": row["n_events_by_time"],
        "ci_method": row["ci_method"],
    }
    if decision:
        limits = [row["lower_decision"], row["upper_decision"]]
        entry |= {"decision_level": row["decision_level"], "ci_decision": limits}
        entry[interval_key(row["decision_level"])] = limits
    return entry


# key_results name -> (rate key, time) for the named rates of SAP 4.
NAMED_RATES = {
    "lcr_1y": ("lcr", "1y"),
    "lcr_2y_km": ("lcr_km", "2y"),
    "lcr_2y_patient": ("lcr_patient", "2y"),
    "lcr_2y_eff": ("lcr_eff", "2y"),
    "lcr_2y_pp": ("lcr_pp", "2y"),
    "local_recurrence_1y": ("local_recurrence", "1y"),
    "local_recurrence_2y": ("local_recurrence", "2y"),
    "regional_recurrence_1y": ("regional_recurrence", "1y"),
    "regional_recurrence_2y": ("regional_recurrence", "2y"),
    "distant_metastasis_1y": ("distant_metastasis", "1y"),
    "distant_metastasis_2y": ("distant_metastasis", "2y"),
    "pfs_1y": ("pfs", "1y"),
    "pfs_2y": ("pfs", "2y"),
    "os_1y": ("os", "1y"),
    "os_2y": ("os", "2y"),
}


def primary_outcome(success: bool) -> dict:
    """The words the paper uses for the primary decision, so no verdict is ever typed."""
    return {
        "met": success,
        "verdict": "was met" if success else "was not met",
        "comparison": "exceeded" if success else "did not exceed",
    }


def data_source(raw_dir: str) -> dict:
    """Whether the paper was built on the study's exports or on the built-in synthetic trial."""
    synthetic = not raw_dir
    return {
        "synthetic": synthetic,
        "note": (
            "This build analyses the built-in synthetic trial (simulated patients), not study data."
            if synthetic
            else "This build analyses the study's case-report-form exports."
        ),
    }


def marker_findings(marker_cox: dict, labels: dict[str, str], threshold: float = 0.05) -> dict:
    """Per endpoint, the baseline markers whose q-value is below the threshold, in words."""
    found = {}
    for paramcd, models in marker_cox.items():
        names = [
            labels[key.removesuffix("_baseline")]
            for key, fit in sorted(models.items())
            if key.endswith("_baseline") and fit.get("q") is not None and fit["q"] < threshold
        ]
        found[paramcd] = ", ".join(names) if names else "none"
    return {"threshold": threshold, "endpoints": found}


def assemble(
    *,
    screening: pd.DataFrame,
    adsl: pd.DataFrame,
    adles: pd.DataFrame,
    rates: pd.DataFrame,
    medians: pd.DataFrame,
    primary: dict,
    safety: dict,
    design: dict,
    pattern: pd.DataFrame,
    flow: dict,
) -> dict:
    """The efficacy, safety and design numbers of the paper in one dictionary."""
    saf = adsl[adsl["SAFFL"]]
    medians = medians.set_index("key")

    def median(key: str) -> dict:
        row = medians.loc[key]
        return {"estimate": row["months"], "ci95": [row["lower95_months"], row["upper95_months"]]}

    out: dict[str, Any] = {
        "n_screened": len(screening),
        "n_screen_failures": int((screening["eligible"] == "no").sum()),
        "n_enrolled": len(adsl),
        "n_safety": len(saf),
        "n_efficacy": int(adsl["EFFFL"].sum()),
        "n_per_protocol": int(adsl["PPFL"].sum()),
        "n_sites": int(adsl["SITEID"].nunique()),
        "n_lesions": len(adles),
        "n_lesions_treated": int(adles["TRTFL"].sum()),
        "n_deaths": int(saf["DTHFL"].sum()),
        "lcr_2y": rate_entry(rates, "lcr", "2y", decision=True),
        "lcr_2y_bootstrap": rate_entry(rates, "lcr_bootstrap", "2y", decision=True),
        "primary_success": primary["success"],
        "primary_success_bootstrap": primary["rules"]["percentile_bootstrap"]["success"],
        "primary_null": primary["null"],
        "median_follow_up_months": median("follow_up"),
        "median_pfs_months": median("pfs"),
        "median_os_months": median("os"),
        "trae_any": safety["trae_any"],
        "trae_grade3plus": safety["trae_grade3plus"],
        "ae_any": safety["ae_any"],
        "ae_grade3plus": safety["ae_grade3plus"],
        "n_grade5": safety["n_grade5"],
        "sample_size": design,
        "flow": flow,
        "n_lost_to_follow_up": flow["lost_to_follow_up"],
        "first_failure": {
            row["first_failure"].replace(" + ", "_").replace(" ", "_"): row["n"]
            for _, row in pattern.iterrows()
        },
    }
    out |= {name: rate_entry(rates, key, time) for name, (key, time) in NAMED_RATES.items()}
    return out
