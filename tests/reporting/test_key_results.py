"""key_results.json: stable JSON, and the words that replace typed verdicts in the paper."""

import pandas as pd
import pytest
from scipy.stats import binomtest

from sbrtlung import config
from sbrtlung.analysis import safety
from sbrtlung.analysis.trae_grades import trae_by_grade
from sbrtlung.manuscript import variables
from sbrtlung.reporting.key_results import (
    DECLARATIONS,
    NAMED_RATES,
    NOT_APPLICABLE,
    NOT_TESTED,
    assemble,
    data_source,
    declarations,
    interval_key,
    marker_findings,
    missing_declarations,
    primary_outcome,
    rate_entry,
)


def test_the_decision_interval_is_keyed_by_its_level_and_as_ci_decision():
    assert [interval_key(x) for x in (0.9, 1 - 2 * 0.05, 0.95, 0.975)] == [
        "ci90",
        "ci90",
        "ci95",
        "ci97_5",
    ]
    rates = pd.DataFrame(
        {
            "key": ["lcr"],
            "time": ["2y"],
            "estimate": [0.9],
            "lower95": [0.8],
            "upper95": [0.95],
            "lower_decision": [0.82],
            "upper_decision": [0.94],
            "decision_level": [0.9],
            "n_units": [100],
            "n_events_by_time": [9],
            "ci_method": ["m"],
        }
    )
    entry = rate_entry(rates, "lcr", "2y", decision=True)
    assert entry["ci90"] == entry["ci_decision"] == [0.82, 0.94]
    assert entry["decision_level"] == 0.9 and entry["ci95"] == [0.8, 0.95]
    assert "ci_decision" not in rate_entry(rates, "lcr", "2y")


def test_verdict_words_follow_the_decision():
    assert primary_outcome(True) == {"met": True, "verdict": "was met", "comparison": "exceeded"}
    assert primary_outcome(False)["comparison"] == "did not exceed"
    assert data_source("")["synthetic"] and "synthetic" in data_source("")["note"]
    assert not data_source("/data/cut1")["synthetic"]


def test_marker_findings_lists_baseline_markers_below_the_threshold():
    cox = {
        "OS": {
            "nlr_baseline": {"q": 0.01, "hr": 2.0, "ci95": [1.2, 3.4]},
            "crp_baseline": {"q": 0.2},
            "nlr_one_month": {"q": 0.001},  # not a baseline model
            "sii_baseline": {"q": None},
        },
        "PFS": {"nlr_baseline": {"q": 0.051, "hr": 1.5, "ci95": [0.9, 2.5]}},
    }
    labels = {"nlr": "NLR", "crp": "CRP", "sii": "SII"}
    found = marker_findings(cox, labels)
    assert found["threshold"] == {"kind": "number", "value": 0.05}
    assert found["endpoints"] == {"OS": "NLR", "PFS": "none"} and found["any"]
    assert found["summary"] == (
        "the baseline markers with a q-value below 0.05 were, for overall survival, NLR; "
        "for progression-free survival, none"
    )
    assert found["smallest"] == (
        "The smallest q-value, 0.010, was that of the NLR for overall survival: HR 2.00 "
        "(95% CI 1.20\u20133.40) per standard deviation of the log2 baseline value."
    )
    nothing = marker_findings(
        {"OS": {"nlr_baseline": {"q": 0.3, "hr": 1.1, "ci95": [0.5, 2.4]}}}, labels
    )
    assert not nothing["any"]
    assert nothing["summary"] == "no baseline marker had a q-value below 0.05 for any endpoint"
    assert marker_findings({"OS": {}}, labels)["smallest"].startswith("No baseline marker")


# --- assemble: every number of the paper, typed ------------------------------------------------


def _rates() -> pd.DataFrame:
    keys = {key for key, _ in NAMED_RATES.values()} | {"lcr", "lcr_bootstrap"}
    rows = []
    for i, key in enumerate(sorted(keys)):
        for time in ("1y", "2y"):
            estimate = 0.9 - 0.01 * i
            rows.append(
                {
                    "key": key,
                    "time": time,
                    "estimate": estimate,
                    "lower95": estimate - 0.06,
                    "upper95": estimate + 0.04,
                    "lower_decision": estimate - 0.05,
                    "upper_decision": estimate + 0.03,
                    "decision_level": 0.9,
                    "n_units": 60,
                    "n_events_by_time": 5,
                    "ci_method": "m",
                }
            )
    return pd.DataFrame(rows)


def assemble_inputs() -> dict:
    """Hand-made outputs of every stage, shaped as the workflow writes them."""
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S01-001", "S01-002", "S02-001", "S02-002"],
            "SITEID": ["S01", "S01", "S02", "S02"],
            "SAFFL": [True, True, True, False],
            "EFFFL": [True, True, False, False],
            "PPFL": [True, False, True, False],
            "DTHFL": [False, True, False, False],
        }
    )
    adae = pd.DataFrame(
        {"USUBJID": ["S01-001"], "AETOXGR": [3], "TRAEFL": [True], "AETERM": ["cough"]}
    )
    flow = {
        "screened": 5,
        "enrolled": 4,
        "safety": 3,
        "efficacy": 2,
        "per_protocol": 2,
        "lesions_treated": 5,
        "not_eligible": 1,
        "not_eligible_by_reason": {"declined_consent": 1, "other": 0},
        "not_treated": 1,
        "died": 1,
        "lost_to_follow_up": 0,
        "no_follow_up_scan": 1,
        "not_per_protocol": 1,
    }
    metric = {"kind": "c_statistic", "mean": 0.61, "range_cv": [0.55, 0.66]}
    lcr = {"nodules": 5, "failures": 1, "estimate": 0.8, "ci95_low": 0.3, "ci95_high": 0.97}
    sensitivity = pd.DataFrame(
        [
            {"analysis": a, **lcr, "decision_low": low, "success": ok}
            for a, low, ok in (
                ("primary", 0.4, "no"),
                ("kaplan_meier", float("nan"), "not estimable"),
            )
        ]
    )
    sites = pd.DataFrame(
        [{"site": s, "patients": 2, **lcr} for s in ("S01", "S02")]
        + [{"site": "pooled", "patients": 3, **lcr}]
    )
    subgroups = pd.DataFrame(
        [
            {"factor": "location", "level": "peripheral", **lcr, "hr": None, "hr_ci95_low": None,
             "hr_ci95_high": None, "p": None},
            {"factor": "location", "level": "central", **lcr, "hr": 2.0, "hr_ci95_low": 0.5,
             "hr_ci95_high": 8.0, "p": 0.3},
        ]
    )  # fmt: skip
    return {
        "screening": pd.DataFrame({"eligible": ["yes"] * 4 + ["no"]}),
        "adsl": adsl,
        "adles": pd.DataFrame({"TRTFL": [True] * 5 + [False]}),
        "rates": _rates(),
        "medians": pd.DataFrame(
            {
                "key": ["follow_up", "pfs", "os"],
                "months": [24.1, 20.0, None],
                "lower95_months": [20.0, 15.2, 30.1],
                "upper95_months": [28.0, 26.0, None],
            }
        ),
        "primary": {
            "success": True,
            "null": 0.8,
            "rules": {"percentile_bootstrap": {"success": False}},
        },
        "safety": safety.summary(adae, 3),
        "trae_by_grade": trae_by_grade(adae, adsl),
        "sensitivity": sensitivity,
        "sites": sites,
        "site_heterogeneity": {"k": 1, "q": None, "i2": None, "tau2": None, "excluded": ["S02"]},
        "subgroups": subgroups,
        "pattern": pd.DataFrame({"first_failure": ["local", "local + distant"], "n": [1, 1]}),
        "flow": flow,
        "markers": {
            "marker_cox": {
                "OS": {
                    "nlr_baseline": {
                        "kind": "hazard_ratio",
                        "hr": 1.5,
                        "ci95": [1.1, 2.0],
                        "p": 0.004,
                        "q": 0.03,
                        "n": 3,
                        "events": 1,
                    }
                }
            }
        },
        "models": {
            "models": {"PFS": {"clinical": {"harrell_c": metric}}},
            "gain_over_clinical": {},
            "landmark": {},
            "cohorts": {"PFS": {"full": {"n": 3, "events": 1}, "landmark": {"n": 2, "events": 1}}},
        },
        "simulation_study": {"simulation_study": {"n_patients": 66}},
        "config": config.load(),
    }


def test_assemble_counts_rates_and_declares_every_kind():
    results = assemble(**assemble_inputs())
    one_sided = binomtest(1, 3, alternative="less").proportion_ci(0.95, method="exact").high
    assert results["trae_grade3plus"]["upper95_one_sided"] == pytest.approx(one_sided)
    assert results["sites"]["excluded"] == ["S02"]
    assert results["sensitivity"]["summary"]["n_same_decision"] == 0
    assert (results["n_screened"], results["n_screen_failures"], results["n_enrolled"]) == (5, 1, 4)
    assert (results["n_safety"], results["n_efficacy"], results["n_per_protocol"]) == (3, 2, 2)
    assert (results["n_sites"], results["n_lesions"], results["n_lesions_treated"]) == (2, 6, 5)
    assert results["n_deaths"] == 1 and results["n_lost_to_follow_up"] == 0
    lcr = results["lcr_2y"]
    assert lcr["kind"] == "proportion" and lcr["ci90"] == lcr["ci_decision"]
    assert set(lcr) >= {"estimate", "ci95", "ci90", "ci_decision", "decision_level", "ci_method"}
    assert results["lcr_2y_bootstrap"]["ci_decision"] == [
        results["lcr_2y_bootstrap"]["estimate"] - 0.05,
        results["lcr_2y_bootstrap"]["estimate"] + 0.03,
    ]
    assert results["primary_success"] and not results["primary_success_bootstrap"]
    assert results["primary_outcome"]["verdict"] == "was met"
    assert results["primary_outcome_bootstrap"]["verdict"] == "was not met"
    assert results["primary_null"] == {"kind": "setting", "value": 0.8}
    median = results["median_os_months"]
    assert median["kind"] == "months" and pd.isna(median["estimate"])  # not reached
    assert median["ci95"][0] == 30.1 and pd.isna(median["ci95"][1])
    assert results["trae_grade3plus"]["kind"] == "proportion"
    assert results["trae_grade3plus"]["n"] == 1 and results["trae_grade3plus"]["N"] == 3
    assert results["first_failure"] == {"local": 1, "local_distant": 1}
    design = results["sample_size"]
    assert design["patients"] == 66 and design["lcr_null"] == {"kind": "setting", "value": 0.8}
    assert design["alpha_one_sided"]["kind"] == "number"
    assert results["models"]["PFS"]["clinical"]["harrell_c"]["kind"] == "c_statistic"
    assert results["simulation_study"]["n_patients"] == 66
    assert results["marker_findings"]["endpoints"] == {"OS": "Neutrophil-to-lymphocyte ratio (NLR)"}
    assert results["data_source"]["synthetic"]
    assert set(results["declarations"]) == {*DECLARATIONS, "ethics_and_consent"}
    assert all(text == NOT_APPLICABLE for text in results["declarations"].values())


def test_every_number_of_the_assembled_results_prints():
    """_variables.yml can be built from them: no float without a kind."""
    inputs = assemble_inputs()
    built = variables.build(assemble(**inputs), inputs["config"])
    assert built["lcr_2y"]["text_nested"].startswith("89.0%, 95% CI ")
    assert built["median_os_months"]["estimate"] == "not reached"


def test_declarations_of_a_build_on_study_data_come_from_the_config():
    study = {
        "authors": [{"name": "A. Author", "affiliations": ["Hospital A", "University B"]}],
        "registration": "ClinicalTrials.gov NCT00000000",
        "ethics": "Approved.",
        "consent": "Written.",
        "funding": "None.",
        "conflicts_of_interest": "None declared.",
        "data_availability": "On request.",
    }
    out = declarations(study, "/data/cut1")
    assert out["authors"] == "A. Author (Hospital A, University B)"
    assert out["registration"] == "ClinicalTrials.gov NCT00000000"
    assert out["ethics_and_consent"] == "Approved. Written."
    partial = study | {"ethics": "", "funding": " ", "authors": []}
    out = declarations(partial, "/data/cut1")
    assert out["funding"] == "Not given: set `study.funding` in the configuration."
    assert out["authors"] == "Not given: set `study.authors` in the configuration."
    assert missing_declarations(partial, "/data/cut1") == ["authors", "ethics", "funding"]
    assert missing_declarations(partial, "") == []


def test_an_interim_cut_tests_no_hypothesis_and_says_so():
    inputs = assemble_inputs()
    inputs["config"] = config.load(analysis_stage="interim")
    results = assemble(**inputs)
    assert results["primary_success"] == results["primary_success_bootstrap"] == NOT_TESTED
    assert results["primary_outcome"]["verdict"] == "was not tested (interim analysis)"
    assert "Interim analysis" in results["data_source"]["note"]
    assert "Interim" not in assemble(**assemble_inputs())["data_source"]["note"]
    built = variables.build(results, inputs["config"])
    assert built["primary_success"] == NOT_TESTED
