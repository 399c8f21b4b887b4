"""The automatable items of CONSORT, REMARK and TRIPOD+AI, filled from the results.

Each item names what the guideline asks and answers it with numbers from key_results.json
(or points to the table or figure that answers it), so the supplement's checklists can never
disagree with the paper.
"""

import pandas as pd

from sbrtlung.formatting import estimate_ci, markdown_table, n_pct, number

MODEL_LABELS = {
    "clinical": "clinical",
    "clinical_markers": "clinical + baseline markers",
    "clinical_markers_dynamics": "clinical + baseline markers + dynamics (landmark)",
}


def _ci(entry: dict) -> str:
    return estimate_ci(entry["estimate"], *entry["ci95"])


def consort(k: dict) -> pd.DataFrame:
    """CONSORT 2010 items that a single-arm trial's data can answer."""
    f = k["flow"]
    reasons = ", ".join(
        f"{reason.replace('_', ' ')} {n}" for reason, n in f["not_eligible_by_reason"].items() if n
    )
    rows = [
        ("13a", "Participants screened, enrolled, treated and analysed",
         f"screened {f['screened']}; enrolled {f['enrolled']}; treated (safety set) "
         f"{f['safety']}; analysed {f['lesions_treated']} nodules of {f['safety']} patients "
         "(primary endpoint); flow diagram in the article"),
        ("13b", "Losses and exclusions after enrollment, with reasons",
         f"not eligible {f['not_eligible']} ({reasons or 'no reason recorded'}); no fraction "
         f"delivered {f['not_treated']}; died {f['died']}; lost to follow-up "
         f"{f['lost_to_follow_up']}; no follow-up scan {f['no_follow_up_scan']}; incomplete "
         f"course {f['not_per_protocol']}"),
        ("15", "Baseline demographic and clinical characteristics",
         f"baseline table of the safety set (n = {f['safety']})"),
        ("16", "Number of participants in each analysis",
         f"safety set {f['safety']}; efficacy set {f['efficacy']}; per-protocol set "
         f"{f['per_protocol']}; nodules {f['lesions_treated']}"),
        ("17a", "Primary outcome: estimate and its precision",
         f"local control {_ci(k['lcr_2y'])}; two-sided "
         f"{100 * k['lcr_2y']['decision_level']:g}% CI "
         f"{100 * k['lcr_2y']['ci_decision'][0]:.1f}-{100 * k['lcr_2y']['ci_decision'][1]:.1f}; "
         f"primary endpoint {k['primary_outcome']['verdict']}"),
        ("19", "Harms",
         f"treatment-related adverse events {n_pct(k['trae_any']['n'], k['trae_any']['N'])}, "
         f"grade 3 or higher {n_pct(k['trae_grade3plus']['n'], k['trae_grade3plus']['N'])}, "
         f"grade 5 {k['n_grade5']}"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Item", "Asks for", "Reported"])


def remark(k: dict) -> pd.DataFrame:
    """REMARK items on the marker analyses that the data answer."""
    cox = k["marker_cox"]
    n_models = sum(len(models) for models in cox.values())
    rows = [
        ("Patients and events", "Number of patients and events in every analysis",
         "REMARK profile table: enrolled, excluded with reasons, analysed and events per "
         f"analysis ({n_models} models)"),
        ("Markers", "Marker values and their distribution",
         "marker table (median, IQR per timepoint) and trajectory figure"),
        ("Univariable analysis", "Estimated effect with confidence interval",
         "hazard ratio per SD of the log2 value with 95% CI, p and q for every model"),
        ("Multiplicity", "How multiple comparisons were handled",
         f"Benjamini-Hochberg q-values over all models; markers below q = "
         f"{k['marker_findings']['threshold']}: " + "; ".join(
             f"{endpoint} {found}" for endpoint, found in k["marker_findings"]["endpoints"].items()
         )),
        ("Model assumptions", "Checks of the model assumptions",
         "Schoenfeld-residual test of proportional hazards reported for every model"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Item", "Asks for", "Reported"])


def tripod(k: dict) -> pd.DataFrame:
    """TRIPOD+AI items on the prognostic models that the results answer."""
    rows = []
    for paramcd, cohorts in k["model_cohorts"].items():
        full, landmark = cohorts["full"], cohorts["landmark"]
        rows.append(("Participants", f"{paramcd}: patients and outcome events",
                     f"{full['n']} patients, {full['events']} events; landmark cohort "
                     f"{landmark['n']} patients, {landmark['events']} events"))  # fmt: skip
    rows.append(("Missing data", "Missing values per predictor and how they were handled",
                 "TRIPOD table: missing n (%) per predictor; median imputation fitted within "
                 "each training fold"))  # fmt: skip
    rows.append(("Tuning", "How hyperparameters were chosen",
                 "elastic-net penalty chosen by an inner cross-validation (Harrell's C) inside "
                 "each outer training fold"))  # fmt: skip
    for paramcd, models in k["models"].items():
        for model, metrics in models.items():
            c = metrics["harrell_c"]
            rows.append((
                "Discrimination", f"{paramcd}, {MODEL_LABELS.get(model, model)}",
                f"Harrell's C {number(c['mean'], 3)} (repeat spread {number(c['ci95'][0], 3)}-"
                f"{number(c['ci95'][1], 3)})",
            ))  # fmt: skip
    rows.append(("Calibration", "Predicted against observed risk",
                 "out-of-fold predicted risk at the horizon by tertile against Kaplan-Meier "
                 "observed risk (calibration figure)"))  # fmt: skip
    return pd.DataFrame(rows, columns=["Item", "Asks for", "Reported"])


def checklists_markdown(k: dict) -> str:
    """The three checklists as Markdown, each headed by its guideline."""
    parts = []
    for title, table in (
        ("CONSORT 2010 (automatable items)", consort(k)),
        ("REMARK (automatable items)", remark(k)),
        ("TRIPOD+AI (automatable items)", tripod(k)),
    ):
        parts.append(f"**{title}**\n\n" + markdown_table(table, "lll"))
    return "\n".join(parts)
