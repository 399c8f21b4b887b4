"""The automatable items of CONSORT 2025, REMARK and TRIPOD+AI, filled from the results.

Each item names what the guideline asks and answers it with numbers from key_results.json
(or points to the table or figure that answers it), so the supplement's checklists can never
disagree with the paper. CONSORT 2025 (Hopewell et al., BMJ 2025;388:e081123) numbers its
30 items anew; the items listed are those this single-arm trial's data and configuration can
answer. Every number prints through `sbrtlung.formatter`.
"""

import pandas as pd

from sbrtlung.adam.endpoints import ENDPOINTS
from sbrtlung.formatter import Kind, in_sentence, interval, n_pct, number, with_interval
from sbrtlung.models.pipeline import MODELS
from sbrtlung.tables import markdown_table

COLUMNS = ["Item", "Asks for", "Reported"]
MODEL_LABELS = {m.name: in_sentence(m.label) for m in MODELS}
ENDPOINT_LABELS = {e.paramcd: in_sentence(e.label) for e in ENDPOINTS}


def _ci(entry: dict) -> str:
    return with_interval(entry["estimate"], *entry["ci95"], Kind.PROPORTION, "95% CI")


def _words(code: str) -> str:
    return code.replace("_", " ")


def consort(k: dict) -> pd.DataFrame:
    """CONSORT 2025 items that a single-arm trial's data and configuration answer."""
    f, d = k["flow"], k["declarations"]
    design = k["sample_size"]
    reasons = ", ".join(
        f"{_words(reason)} {n}" for reason, n in f["not_eligible_by_reason"].items() if n
    )
    lcr = k["lcr_2y"]
    level = number(lcr["decision_level"], Kind.SETTING)
    rows = [
        ("2", "Trial registration", d["registration"]),
        ("4", "Data sharing", d["data_availability"]),
        ("5a", "Funding and role of funders", d["funding"]),
        ("5b", "Conflicts of interest", d["conflicts_of_interest"]),
        ("10", "Changes to the trial protocol",
         "statistical analysis plan 1.1: primary interval changed from the percentile bootstrap "
         "to the patient-cluster infinitesimal-jackknife interval before any analysis, on the "
         "design's simulated operating characteristics (simulation study in this supplement)"),
        ("16a", "Sample size and its assumptions",
         f"{design['patients']} patients planned ({design['lesions']} nodules; null "
         f"{number(design['lcr_null']['value'], Kind.SETTING)}, alternative "
         f"{number(design['lcr_alternative']['value'], Kind.SETTING)}, one-sided alpha "
         f"{number(design['alpha_one_sided']['value'], Kind.SETTING)}, power "
         f"{number(design['power']['value'], Kind.SETTING)}); {k['n_enrolled']} enrolled"),
        ("22a", "Participants screened, enrolled, treated and analysed",
         f"screened {f['screened']}; enrolled {f['enrolled']}; treated (safety set) "
         f"{f['safety']}; analysed {f['lesions_treated']} nodules of {f['safety']} patients "
         "(primary endpoint); flow diagram in the article"),
        ("22b", "Losses and exclusions after enrolment, with reasons",
         f"not eligible {f['not_eligible']} ({reasons or 'no reason recorded'}); no fraction "
         f"delivered {f['not_treated']}; died {f['died']}; lost to follow-up "
         f"{f['lost_to_follow_up']}; no follow-up scan {f['no_follow_up_scan']}; incomplete "
         f"course {f['not_per_protocol']}"),
        ("24a", "Intervention as actually administered",
         f"SBRT table of the article (regimens, delivered doses); incomplete course in "
         f"{f['not_per_protocol']} patients"),
        ("25", "Baseline demographic and clinical characteristics",
         f"baseline table of the safety set (n = {f['safety']})"),
        ("26", "Numbers analysed, outcomes and estimation",
         f"safety set {f['safety']}, efficacy set {f['efficacy']}, per-protocol set "
         f"{f['per_protocol']}, nodules {f['lesions_treated']}; local control {_ci(lcr)}; "
         f"two-sided {level} CI {interval(*lcr['ci_decision'], Kind.PROPORTION)}; primary "
         f"endpoint {k['primary_outcome']['verdict']}"),
        ("27", "Harms",
         f"treatment-related adverse events {n_pct(k['trae_any']['n'], k['trae_any']['N'])}, "
         f"grade 3 or higher {n_pct(k['trae_grade3plus']['n'], k['trae_grade3plus']['N'])}; "
         + (f"grade 5 in {k['n_grade5']} patients" if k["n_grade5"] else "no grade 5 event")),
        ("28", "Ancillary analyses, prespecified or not",
         "prespecified sensitivity analyses of the primary endpoint (Kaplan-Meier, per patient, "
         "efficacy and per-protocol sets, percentile bootstrap interval); exploratory blood "
         "markers and prognostic models"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def remark(k: dict) -> pd.DataFrame:
    """REMARK items on the marker analyses that the data answer."""
    cox = k["marker_cox"]
    n_models = sum(len(models) for models in cox.values())
    found = k["marker_findings"]
    threshold = number(found["threshold"]["value"], Kind.NUMBER)
    below = "; ".join(
        f"{ENDPOINT_LABELS.get(endpoint, endpoint)}: {markers}"
        for endpoint, markers in found["endpoints"].items()
    )
    rows = [
        ("Patients and events", "Number of patients and events in every analysis",
         "REMARK profile table: enrolled, excluded with reasons, analysed and events per "
         f"analysis ({n_models} models)"),
        ("Markers", "Marker values and their distribution",
         "marker table (median, quartiles per timepoint) and trajectory figure"),
        ("Univariable analysis", "Estimated effect with confidence interval",
         "hazard ratio per SD of the log2 value with 95% CI, p and q for every model"),
        ("Multiplicity", "How multiple comparisons were handled",
         f"Benjamini-Hochberg q-values over all models; markers with q below {threshold}: "
         f"{below}"),
        ("Model assumptions", "Checks of the model assumptions",
         "Schoenfeld-residual test of proportional hazards reported for every model"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def tripod(k: dict) -> pd.DataFrame:
    """TRIPOD+AI items on the prognostic models that the results answer."""
    rows = []
    for paramcd, cohorts in k["model_cohorts"].items():
        full, landmark = cohorts["full"], cohorts["landmark"]
        what = f"{ENDPOINT_LABELS[paramcd].capitalize()}: patients and events"
        sizes = (
            f"{full['n']} patients, {full['events']} events; landmark cohort "
            f"{landmark['n']} patients, {landmark['events']} events"
        )
        rows.append(("Participants", what, sizes))
    rows.append(("Missing data", "Missing values per predictor and how they were handled",
                 "TRIPOD+AI table: missing n (%) per predictor; median imputation fitted "
                 "within each training fold"))  # fmt: skip
    rows.append(("Tuning", "How hyperparameters were chosen",
                 "elastic-net penalty chosen by an inner cross-validation (Harrell's C) inside "
                 "each outer training fold"))  # fmt: skip
    for paramcd, models in k["models"].items():
        for model, metrics in models.items():
            c = metrics["harrell_c"]
            spread = interval(*c["range_cv"], Kind.C_STATISTIC)
            rows.append((
                "Discrimination",
                f"{ENDPOINT_LABELS[paramcd].capitalize()}, {MODEL_LABELS.get(model, model)}",
                f"Harrell's C {number(c['mean'], Kind.C_STATISTIC)} (2.5th\u201397.5th "
                f"percentile over repeats {spread})",
            ))  # fmt: skip
    rows.append(("Calibration", "Predicted against observed risk",
                 "out-of-fold predicted risk at the horizon by tertile against Kaplan-Meier "
                 "observed risk (calibration figure)"))  # fmt: skip
    rows.append(("Calibration", "Calibration slope and observed/expected ratio",
                 "Cox slope of the outcome on the out-of-fold linear predictor and Kaplan-Meier "
                 "over mean predicted risk at the horizon, mean and 2.5th\u201397.5th "
                 "percentiles over repeats (model table, TRIPOD+AI report)"))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


CHECKLISTS = (
    ("CONSORT 2025", "tbl-consort", consort),
    ("REMARK", "tbl-remark-checklist", remark),
    ("TRIPOD+AI", "tbl-tripod-checklist", tripod),
)


def checklists_markdown(k: dict) -> str:
    """The three checklists as Markdown tables, each captioned and labelled by its guideline."""
    parts = []
    for title, label, build in CHECKLISTS:
        caption = f"{title}: the items this trial's data answer, and the answer."
        parts.append(markdown_table(build(k), "lll", caption, label))
    return "\n".join(parts)
