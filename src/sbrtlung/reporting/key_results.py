"""`key_results.json`: every number the manuscript quotes, under stable keys, each with its kind.

Proportions are in 0-1 (never percent), times in the unit their kind names, intervals as
[lower, upper]. Missing values are JSON null. The file is written with sorted keys and a
fixed float representation, so the same results give the same bytes.

Every number declares what it is, so that it prints one way wherever it appears
(`sbrtlung.formatter`): an entry is an object with a `kind` (proportion, months,
hazard_ratio, c_statistic, brier_score, cv_gain, ...) and its point value (`estimate`,
`mean`, `hr` or, for a single number, `value`), with intervals named for what they are:
`ci95`, `ci90` and `ci_decision` (confidence intervals), `range_cv` (2.5th-97.5th
percentiles over cross-validation repeats), `mc_ci95` (Monte Carlo interval of a
simulation). The other fields of an entry have fixed kinds (`ENTRY_FIELDS`). Integers are
counts, booleans and strings print as they are.
"""

import logging
from typing import Any

import pandas as pd

from sbrtlung.adam.endpoints import ENDPOINTS
from sbrtlung.analysis.design import planned_sample_size
from sbrtlung.analysis.stage import analysis_stage
from sbrtlung.analysis.stage import settings as stage_settings
from sbrtlung.formatter import Kind, in_sentence, number, with_interval
from sbrtlung.markers.summary import marker_label
from sbrtlung.reporting.supplementary_analyses import key_entries
from sbrtlung.schemas.vocabulary import MARKERS

_LOG = logging.getLogger(__name__)

# Fields whose kind is fixed wherever an entry has them.
ENTRY_FIELDS = {
    "n": Kind.COUNT,
    "N": Kind.COUNT,
    "events": Kind.COUNT,
    "replicates": Kind.COUNT,
    "decision_level": Kind.SETTING,
    "nominal": Kind.SETTING,
    "true_lcr_2y": Kind.SETTING,
    "mcse": Kind.PERCENTAGE_POINTS,
    "p": Kind.P_VALUE,
    "q": Kind.P_VALUE,
    "upper95_one_sided": Kind.PROPORTION,
}
# Fields holding an entry's point value, in the entry's own kind.
POINT_FIELDS = ("estimate", "mean", "hr", "value")
# The kinds of the planned sample size's inputs and steps (SAP 4).
DESIGN_KINDS = {
    "lcr_null": Kind.SETTING,
    "lcr_alternative": Kind.SETTING,
    "alpha_one_sided": Kind.NUMBER,
    "power": Kind.SETTING,
    "dropout": Kind.SETTING,
    "lesions_per_patient": Kind.NUMBER,
    "icc": Kind.NUMBER,
    "design_effect": Kind.NUMBER,
    "z_alpha": Kind.NUMBER,
    "z_beta": Kind.NUMBER,
}


def typed(value: Any, kind: Kind) -> dict:
    """A single number with its kind: {"kind": ..., "value": ...}."""
    return {"kind": Kind(kind).value, "value": value}


def interval_key(level: float) -> str:
    """The key of a CI at a two-sided level: 0.9 -> 'ci90', 0.95 -> 'ci95', 0.975 -> 'ci97_5'."""
    return "ci" + f"{round(100 * level, 6):g}".replace(".", "_")


def rate_entry(rates: pd.DataFrame, key: str, time: str, decision: bool = False) -> dict:
    """One rate as {kind, estimate, ci95, n, events, ci_method}.

    With `decision`, also its interval at the decision level 1 - 2 alpha, both under the
    level's own key (`ci90` at alpha 0.05) and as `ci_decision` with `decision_level`, so the
    paper can quote it whatever alpha the config sets.
    """
    row = rates[(rates["key"] == key) & (rates["time"] == time)].iloc[0]
    entry = {
        "kind": Kind.PROPORTION.value,
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


NOT_TESTED = "not tested (interim)"


def primary_outcome(success: bool | str) -> dict:
    """The words the paper uses for the primary decision, so no verdict is ever typed; at an
    interim cut (`NOT_TESTED`) the interval is described beside the null, not tested."""
    if success == NOT_TESTED:
        return {
            "met": success,
            "verdict": "was not tested (interim analysis)",
            "comparison": "is shown here beside",
        }
    return {
        "met": success,
        "verdict": "was met" if success else "was not met",
        "comparison": "exceeded" if success else "did not exceed",
    }


def data_source(raw_dir: str, stage: str = "final") -> dict:
    """Whether the paper was built on the study's exports or on the built-in synthetic trial,
    and, at an interim cut, that it is an interim analysis (the paper's first page says so)."""
    synthetic = not raw_dir
    note = (
        "This build analyses the built-in synthetic trial (simulated patients), not study data."
        if synthetic
        else "This build analyses the study's case-report-form exports."
    )
    if stage == "interim":
        note += (
            " Interim analysis: not every patient has had the chance of the planned"
            " follow-up at this data cut; the efficacy results are descriptive and the primary"
            " hypothesis is not tested."
        )
    return {"synthetic": synthetic, "note": note}


NOT_APPLICABLE = (
    "Not applicable: this build analyses the built-in synthetic trial (simulated patients), "
    "not study data."
)
DECLARATIONS = (
    "authors",
    "registration",
    "ethics",
    "consent",
    "funding",
    "conflicts_of_interest",
    "data_availability",
)


def declarations(study: dict, raw_dir: str) -> dict:
    """The front matter a journal asks for, from the config's `study` block.

    A synthetic build says that they do not apply. A build on study data prints the config's
    text; a declaration the config leaves empty prints as missing, naming the config key to
    fill (set as code), so that the draft shows what is still owed rather than a blank.
    `ethics_and_consent` joins the two texts a journal prints under one heading.
    """
    if not raw_dir:
        return dict.fromkeys((*DECLARATIONS, "ethics_and_consent"), NOT_APPLICABLE)

    def given(key: str, text: str) -> str:
        return text.strip() or f"Not given: set `study.{key}` in the configuration."

    authors = "; ".join(
        f"{a['name']} ({', '.join(a['affiliations'])})" if a.get("affiliations") else a["name"]
        for a in study.get("authors", [])
    )
    out = {"authors": given("authors", authors)}
    out |= {key: given(key, str(study.get(key, ""))) for key in DECLARATIONS[1:]}
    return out | {"ethics_and_consent": f"{out['ethics']} {out['consent']}"}


def missing_declarations(study: dict, raw_dir: str) -> list[str]:
    """The declarations a build on study data still lacks (none for a synthetic build)."""
    if not raw_dir:
        return []
    return [
        key
        for key in DECLARATIONS
        if not (study.get(key) if key == "authors" else str(study.get(key, "")).strip())
    ]


ENDPOINT_WORDS = {e.paramcd: in_sentence(e.label) for e in ENDPOINTS}


def marker_findings(marker_cox: dict, labels: dict[str, str], threshold: float = 0.05) -> dict:
    """Per endpoint, the baseline markers whose q-value is below the threshold, in words, and
    the sentence the paper prints (so that it never lists 'none' three times, nor gives an
    example of a finding there is not)."""
    found = {}
    for paramcd, models in marker_cox.items():
        names = [
            labels[key.removesuffix("_baseline")]
            for key, fit in sorted(models.items())
            if key.endswith("_baseline") and fit.get("q") is not None and fit["q"] < threshold
        ]
        found[paramcd] = ", ".join(names) if names else "none"
    any_found = any(names != "none" for names in found.values())
    below = number(threshold, Kind.NUMBER)
    if any_found:
        listed = "; ".join(
            f"for {ENDPOINT_WORDS.get(paramcd, paramcd)}, {names}"
            for paramcd, names in found.items()
        )
        summary = f"the baseline markers with a q-value below {below} were, {listed}"
    else:
        summary = f"no baseline marker had a q-value below {below} for any endpoint"
    return {
        "threshold": typed(threshold, Kind.NUMBER),
        "endpoints": found,
        "any": any_found,
        "summary": summary,
        "smallest": _smallest_q(marker_cox, labels),
    }


def _smallest_q(marker_cox: dict, labels: dict[str, str]) -> str:
    """The sentence on the baseline model with the smallest q-value over all endpoints: the
    paper names the strongest association it found, chosen by the data, not by the writer."""
    fits = [
        (fit["q"], paramcd, key, fit)
        for paramcd, models in sorted(marker_cox.items())
        for key, fit in sorted(models.items())
        if key.endswith("_baseline") and fit.get("q") is not None
    ]
    if not fits:
        return "No baseline marker model could be estimated."
    q, paramcd, key, fit = min(fits, key=lambda f: f[0])
    name = labels[key.removesuffix("_baseline")]
    hr = with_interval(fit["hr"], *fit["ci95"], Kind.HAZARD_RATIO, label="95% CI")
    return (
        f"The smallest q-value, {number(q, Kind.P_VALUE)}, was that of the "
        f"{in_sentence(name)} for "
        f"{ENDPOINT_WORDS.get(paramcd, paramcd)}: HR {hr} per standard deviation of the log2 "
        "baseline value."
    )


def design_entry(hypothesis: dict, design: dict) -> dict:
    """The planned sample size (SAP 4) with every non-integer step typed."""
    planned = planned_sample_size(hypothesis, design)
    return {
        key: typed(value, DESIGN_KINDS[key]) if key in DESIGN_KINDS else value
        for key, value in planned.items()
    }


def settings(config: dict) -> dict:
    """The config values `assemble` reads: the data source, the design, and the front matter
    of a build on study data (a synthetic build prints none, so it reads none and another
    author list does not rerun it)."""
    return {
        **stage_settings(config),
        "hypothesis": config["hypothesis"],
        "sample_size": config["sample_size"],
        "study": config["study"] if config["raw_dir"] else {},
    }


def assemble(
    *,
    screening: pd.DataFrame,
    adsl: pd.DataFrame,
    adles: pd.DataFrame,
    rates: pd.DataFrame,
    medians: pd.DataFrame,
    primary: dict,
    safety: dict,
    trae_by_grade: pd.DataFrame,
    sensitivity: pd.DataFrame,
    sites: pd.DataFrame,
    site_heterogeneity: dict,
    subgroups: pd.DataFrame,
    pattern: pd.DataFrame,
    flow: dict,
    markers: dict,
    models: dict,
    simulation_study: dict,
    config: dict,
) -> dict:
    """Every number of the paper: the efficacy and safety results, the design, and the blocks
    that their own stage already keyed (marker Cox models, prognostic models, simulation
    study), with the words of the primary decisions and the declarations (a build on study
    data that lacks some logs a warning: the paper will say they are not given)."""
    missing = missing_declarations(config["study"], config["raw_dir"])
    if missing:
        _LOG.warning("the paper will say these declarations are not given: %s", missing)
    saf = adsl[adsl["SAFFL"]]
    medians = medians.set_index("key")

    def median(key: str) -> dict:
        row = medians.loc[key]
        return {
            "kind": Kind.MONTHS.value,
            "estimate": row["months"],
            "ci95": [row["lower95_months"], row["upper95_months"]],
        }

    def incidence(entry: dict) -> dict:
        return {"kind": Kind.PROPORTION.value, **entry}

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
        "primary_null": typed(primary["null"], Kind.SETTING),
        "median_follow_up_months": median("follow_up"),
        "median_pfs_months": median("pfs"),
        "median_os_months": median("os"),
        "trae_any": incidence(safety["trae_any"]),
        "trae_grade3plus": incidence(safety["trae_grade3plus"]),
        "ae_any": incidence(safety["ae_any"]),
        "ae_grade3plus": incidence(safety["ae_grade3plus"]),
        "n_grade5": safety["n_grade5"],
        "flow": flow,
        "n_lost_to_follow_up": flow["lost_to_follow_up"],
        "first_failure": {
            row["first_failure"].replace(" + ", "_").replace(" ", "_"): row["n"]
            for _, row in pattern.iterrows()
        },
    }
    out |= {name: rate_entry(rates, key, time) for name, (key, time) in NAMED_RATES.items()}
    out["sample_size"] = design_entry(config["hypothesis"], config["sample_size"])
    out |= markers
    out["models"] = models["models"]
    out["model_gain_over_clinical"] = models["gain_over_clinical"]
    out["model_landmark"] = models["landmark"]
    out["model_cohorts"] = models["cohorts"]
    out |= simulation_study
    stage = analysis_stage(config, adsl)
    if stage == "interim":
        out["primary_success"] = out["primary_success_bootstrap"] = NOT_TESTED
    out["primary_outcome"] = primary_outcome(out["primary_success"])
    out["primary_outcome_bootstrap"] = primary_outcome(out["primary_success_bootstrap"])
    # SAP amendment 1.2: TRAE by grade, sensitivity analyses, sites and subgroups.
    extra = key_entries(trae_by_grade, len(saf), sensitivity, sites, site_heterogeneity, subgroups)
    out["trae_grade3plus"]["upper95_one_sided"] = extra.pop("trae_grade3plus_upper95_one_sided")
    out |= extra
    out["data_source"] = data_source(config["raw_dir"], stage)
    out["declarations"] = declarations(config["study"], config["raw_dir"])
    labels = {marker: marker_label(marker) for marker in MARKERS}
    out["marker_findings"] = marker_findings(out["marker_cox"], labels)
    return out
