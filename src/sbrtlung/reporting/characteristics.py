"""Descriptive tables of the cohort: patients, treated nodules, SBRT courses, enrollment by site.

Every table is a `Table`: a machine-readable frame with one row per statistic (numbers in
their own columns, stable order) and the same numbers rendered as Markdown for the paper.
All numbers are printed by `sbrtlung.formatter`. In the frame of the characteristics
tables, `statistic` is `count` (n of N, pct in percent, for one `level`), `summary`
(n non-missing of N, median, q1, q3, min, max) or `missing` (n missing of N).

Choices where the SAP is silent:

- Populations: patients of the safety set (at least one fraction delivered); nodules and
  courses are the treated ones (at least one fraction delivered), so every nodule belongs
  to a safety-set patient. The untreated nodules of those patients are counted in the
  caption.
- A categorical variable lists every code of its vocabulary, in vocabulary order, with
  zero rows; a value outside the code list is an error, never silently dropped. Residual
  nodules per patient list every count from 1 to the largest observed.
- A continuous variable is summarised by its median with the quartiles (pandas' linear
  interpolation, as `formatter.median_iqr`) and its range; a variable that the contract
  allows to be empty (FEV1, DLCO) always shows its number missing, others only when some
  are missing. Medians and quartiles carry one decimal (the consolidation ratio two);
  the range of an integer variable (age, Charlson, fractions, days) none.
- Pack-years are summarised over ever smokers (never smokers have 0 by contract).
- Consolidation ratio categories: pure ground-glass (0), part-solid (between), solid (1).
- Regimen = prescribed total dose / planned fractions, most frequent first (ties: fewer
  fractions, then lower dose). Incomplete course = fewer fractions delivered than planned.
  Course duration = last minus first day + 1.
- Enrollment by site: screen failures (by reason), eligible patients not enrolled and
  enrolled patients are percentages of the screened; the analysis sets of the enrolled.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sbrtlung.formatter import Kind, in_sentence, median_iqr, n_pct, number, value_range
from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.labels import CODE_LABELS
from sbrtlung.tables import Table, markdown_table

ECOG_SCORES = (0, 1, 2)  # the contract's range of `ecog`
COLUMNS = [
    "variable",
    "label",
    "level",
    "level_label",
    "statistic",
    "n",
    "N",
    "pct",
    "median",
    "q1",
    "q3",
    "min",
    "max",
]

# Plain words for codes whose spelled-out form is not just the code with spaces: the contract's
# labels (schemas/labels.py) of those codes, and the levels the tables derive.
_LABELS = {
    **{
        code: CODE_LABELS[code]
        for code in (
            *v.PRIMARY_PSTAGES,
            "wedge",
            "squamous",
            "pulmonary_function",
            "refusal",
            *v.LOBES,
            *v.LESION_DIAGNOSES,
            *v.TECHNIQUES,
            *v.EXCLUSION_REASONS[:3],
        )
    },
    "pure_ground_glass": "Pure ground-glass (ratio 0)",
    "part_solid": "Part-solid (0 < ratio < 1)",
    "solid": "Solid (ratio 1)",
}
_CTR_LEVELS = ("pure_ground_glass", "part_solid", "solid")


def label(code: object) -> str:
    """A code in plain words: `pulmonary_function` -> 'Poor pulmonary function', 0 -> '0'."""
    text = str(code)
    return _LABELS.get(text) or text.replace("_", " ").capitalize()


@dataclass
class Block:
    """One variable of a table: its CSV rows and its Markdown lines (level or statistic, value)."""

    label: str
    records: list[dict] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)


def _count_record(key: str, name: str, level: str, level_label: str, n: int, total: int) -> dict:
    """A CSV row of a count: statistic 'count' for a level, 'missing' for the empty values."""
    return {
        "variable": key,
        "label": name,
        "level": level,
        "level_label": level_label,
        "statistic": "count" if level else "missing",
        "n": n,
        "N": total,
        "pct": 100 * n / total if total else float("nan"),
    }


def categorical(
    key: str,
    name: str,
    values: pd.Series,
    levels: Iterable[object],
    labeller: Callable[[object], str] = label,
) -> Block:
    """n (%) of every level, zero rows included; denominator = all values."""
    levels = list(levels)
    unknown = sorted({str(x) for x in values if pd.isna(x) or x not in levels})
    if unknown:
        raise ValueError(f"{key}: values outside the code list: {unknown}")
    total = len(values)
    block = Block(f"{name}, n (%)")
    for level in levels:
        n = int((values == level).sum())
        block.records.append(_count_record(key, name, str(level), labeller(level), n, total))
        block.lines.append((labeller(level), n_pct(n, total)))
    return block


def indicator(key: str, name: str, flags: pd.Series) -> Block:
    """n (%) of the rows where a boolean is true, on one line."""
    n, total = int(flags.sum()), len(flags)
    record = _count_record(key, name, "yes", "Yes", n, total)
    return Block(f"{name}, n (%)", [record], [("", n_pct(n, total))])


def continuous(
    key: str, name: str, values: pd.Series, decimals: int = 1, show_missing: bool = False
) -> Block:
    """Median (Q1-Q3) and range of the non-missing values, and the number missing.

    The range of an integer variable (age, fractions, days) is printed without decimals.
    """
    range_decimals = 0 if pd.api.types.is_integer_dtype(values) else decimals
    values = pd.Series(values, dtype="float64")
    present = values.dropna()
    nan = float("nan")
    q1, median, q3 = present.quantile([0.25, 0.5, 0.75]) if len(present) else (nan, nan, nan)
    low, high = present.min(), present.max()
    record = {
        "variable": key,
        "label": name,
        "level": "",
        "level_label": "",
        "statistic": "summary",
        "n": len(present),
        "N": len(values),
        "pct": nan,
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": low,
        "max": high,
    }
    lines = [
        ("Median (Q1–Q3)", median_iqr(present, decimals)),
        ("Range", value_range(low, high, range_decimals)),
    ]
    block = Block(name, [record], lines)
    missing = len(values) - len(present)
    if show_missing or missing:
        block.records.append(_count_record(key, name, "", "", missing, len(values)))
        block.lines.append(("Missing, n (%)", n_pct(missing, len(values))))
    return block


def _render(blocks: Sequence[Block], header: str, caption: str) -> Table:
    """The long frame of all blocks and a three-column Markdown table with its caption."""
    frame = pd.DataFrame([r for b in blocks for r in b.records], columns=COLUMNS)
    rows = [
        (block.label if i == 0 else "", level, value)
        for block in blocks
        for i, (level, value) in enumerate(block.lines)
    ]
    shown = pd.DataFrame(rows, columns=["Characteristic", "", header])
    return Table(frame, f"{markdown_table(shown, 'llr')}\nTable: {caption}\n")


def baseline(adsl: pd.DataFrame) -> Table:
    """Patient characteristics of the safety set."""
    saf = adsl[adsl["SAFFL"]]
    smokers = saf.loc[saf["SMOKING"] != "never", "PACKYRS"]
    nodules = saf["NLES"].astype(int)
    blocks = [
        continuous("age", "Age, years", saf["AGE"]),
        categorical("sex", "Sex", saf["SEX"], v.SEXES),
        categorical("ecog", "ECOG performance status", saf["ECOG"], ECOG_SCORES),
        categorical("smoking", "Smoking status", saf["SMOKING"], v.SMOKING),
        continuous("pack_years", f"Pack-years (N = {len(smokers)} ever smokers)", smokers),
        continuous("fev1_pct", "FEV1, % predicted", saf["FEV1PCT"], show_missing=True),
        continuous("dlco_pct", "DLCO, % predicted", saf["DLCOPCT"], show_missing=True),
        continuous("charlson", "Charlson comorbidity index", saf["CHARLSON"]),
        categorical(
            "surgery_type", "Surgery of the primary tumour", saf["SURGTYPE"], v.SURGERY_TYPES
        ),
        categorical(
            "primary_histology",
            "Histology of the resected primary",
            saf["PRIMHIST"],
            v.PRIMARY_HISTOLOGIES,
        ),
        categorical(
            "primary_pstage",
            "Pathological stage of the resected primary",
            saf["PRIMSTG"],
            v.PRIMARY_PSTAGES,
        ),
        categorical(
            "inoperable_reason",
            "Reason the residual nodules were not resected",
            saf["INOPRSN"],
            v.INOPERABLE_REASONS,
        ),
        categorical(
            "nodules",
            "Residual nodules per patient",
            nodules,
            range(1, int(nodules.max()) + 1) if len(nodules) else [],
        ),
    ]
    n = len(saf)
    caption = (
        f"Baseline characteristics of the safety set ({n} of {len(adsl)} enrolled patients "
        "received at least one SBRT fraction). FEV1, forced expiratory volume in 1 second; "
        "DLCO, diffusing capacity of the lung for carbon monoxide; Q1–Q3, interquartile range."
    )
    return _render(blocks, f"Patients (N = {n})", caption)


def _treated(adles: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Treated nodules and a note on the untreated nodules of the same patients."""
    treated = adles[adles["TRTFL"]]
    others = adles[adles["USUBJID"].isin(treated["USUBJID"]) & ~adles["TRTFL"]]
    note = (
        f"Treated nodules: at least one fraction delivered ({len(treated)} nodules of "
        f"{treated['USUBJID'].nunique()} patients); nodules of these patients that received no "
        f"fraction, not included: {len(others)}."
    )
    return treated, note


def _appearance(ratio: pd.Series) -> pd.Series:
    """Pure ground-glass (ratio 0), solid (ratio 1) or part-solid (in between)."""
    solid = ratio.eq(1).map({True: "solid", False: "part_solid"})
    return solid.where(ratio.ne(0), "pure_ground_glass")


def lesions(adles: pd.DataFrame) -> Table:
    """Characteristics of the treated nodules."""
    treated, note = _treated(adles)
    blocks = [
        categorical("lobe", "Lobe", treated["LOBE"], v.LOBES),
        continuous("diameter_mm", "Diameter, mm", treated["DIAMMM"]),
        continuous("consolidation_ratio", "Consolidation-to-tumour ratio", treated["CONSRAT"], 2),
        categorical(
            "appearance", "Radiological appearance", _appearance(treated["CONSRAT"]), _CTR_LEVELS
        ),
        categorical("location", "Location", treated["LOCATION"], v.LESION_LOCATIONS),
        categorical(
            "diagnosis", "Diagnosis of malignancy", treated["DIAGNOSIS"], v.LESION_DIAGNOSES
        ),
        categorical("histology", "Histology", treated["LESHIST"], v.LESION_HISTOLOGIES),
    ]
    caption = f"Characteristics of the treated nodules. {note}"
    return _render(blocks, f"Nodules (N = {len(treated)})", caption)


def _dose_text(dose: float) -> str:
    return number(dose, Kind.NUMBER, decimals=0 if float(dose).is_integer() else 1)


def regimens(treated: pd.DataFrame) -> pd.Series:
    """'50 Gy / 5 fx' per course, as prescribed (total dose over planned fractions)."""
    return treated["DOSEGY"].map(_dose_text) + " Gy / " + treated["FXPLAN"].astype(str) + " fx"


def _regimen_order(treated: pd.DataFrame) -> list[str]:
    counts = (
        treated.assign(regimen=regimens(treated))
        .groupby(["regimen", "FXPLAN", "DOSEGY"], as_index=False)
        .size()
        .sort_values(["size", "FXPLAN", "DOSEGY"], ascending=[False, True, True], kind="stable")
    )
    return counts["regimen"].tolist()


def sbrt(adles: pd.DataFrame) -> Table:
    """SBRT characteristics per treated nodule: regimen, doses, technique, completion, duration."""
    treated, note = _treated(adles)
    blocks = [
        categorical(
            "regimen",
            "Prescribed regimen (total dose / fractions)",
            regimens(treated),
            _regimen_order(treated),
            labeller=str,
        ),
        continuous("dose_gy", "Prescribed total dose, Gy", treated["DOSEGY"]),
        continuous("fractions_planned", "Fractions planned", treated["FXPLAN"]),
        continuous("dose_per_fraction", "Dose per fraction, Gy", treated["DOSEPFX"]),
        continuous("bed10", "BED10 of the delivered dose, Gy", treated["BED10"]),
        continuous("eqd2", "EQD2 of the delivered dose, Gy", treated["EQD2"]),
        categorical("technique", "Technique", treated["TECHNIQUE"], v.TECHNIQUES),
        indicator(
            "incomplete",
            "Incomplete course (fewer fractions delivered than planned)",
            ~treated["COMPLFL"],
        ),
        continuous("duration_days", "Course duration, days (first to last day)", treated["DURDY"]),
    ]
    caption = (
        "SBRT characteristics per treated nodule. BED10 = D (1 + d/10) with D the delivered "
        "dose and d the prescribed dose per fraction (alpha/beta = 10 Gy); EQD2 = BED10 / 1.2; "
        "fx, fractions; VMAT, volumetric modulated arc therapy; IMRT, intensity-modulated "
        f"radiotherapy; 3D-CRT, three-dimensional conformal radiotherapy. {note}"
    )
    return _render(blocks, f"Nodules (N = {len(treated)})", caption)


# Enrollment rows: item, label, denominator item (None: a count without percentage).
_SITE_ROWS = (
    ("screened", "Screened", None),
    ("screen_failure", "Screen failures", "screened"),
    *(
        (f"screen_failure:{reason}", f"Screen failure: {in_sentence(label(reason))}", "screened")
        for reason in v.EXCLUSION_REASONS
    ),
    ("eligible_not_enrolled", "Eligible, not enrolled", "screened"),
    ("enrolled", "Enrolled", "screened"),
    ("safety", "Safety set (at least one fraction delivered)", "enrolled"),
    ("efficacy", "Efficacy set (safety set with a follow-up scan)", "enrolled"),
    ("per_protocol", "Per-protocol set (every planned fraction delivered)", "enrolled"),
)


def _site_counts(screening: pd.DataFrame, adsl: pd.DataFrame) -> dict[str, int]:
    failed = screening["eligible"] == "no"
    counts = {
        "screened": len(screening),
        "screen_failure": int(failed.sum()),
        "eligible_not_enrolled": int(
            ((screening["eligible"] == "yes") & screening["patient_id"].isna()).sum()
        ),
        "enrolled": len(adsl),
        "safety": int(adsl["SAFFL"].sum()),
        "efficacy": int(adsl["EFFFL"].sum()),
        "per_protocol": int(adsl["PPFL"].sum()),
    }
    for reason in v.EXCLUSION_REASONS:
        reasons = screening["exclusion_reason"]
        counts[f"screen_failure:{reason}"] = int((failed & (reasons == reason)).sum())
    return counts


def sites(screening: pd.DataFrame, adsl: pd.DataFrame) -> Table:
    """Screening, enrollment and analysis sets per site and in total."""
    ids = sorted(set(screening["site_id"]) | set(adsl["SITEID"]))
    groups = [(s, screening[screening["site_id"] == s], adsl[adsl["SITEID"] == s]) for s in ids]
    groups.append(("Total", screening, adsl))
    counts = {site: _site_counts(scr, sl) for site, scr, sl in groups}
    records, cells = [], {}
    for item, name, base in _SITE_ROWS:
        for site in counts:
            n = counts[site][item]
            total = counts[site][base] if base else None
            pct = 100 * n / total if total else float("nan")
            records.append(
                {"item": item, "label": name, "site": site, "n": n, "N": total, "pct": pct}
            )
            cells[(name, site)] = n_pct(n, total) if base else str(n)
    frame = pd.DataFrame(records, columns=["item", "label", "site", "n", "N", "pct"])
    frame["N"] = frame["N"].astype("Int64")
    shown = pd.DataFrame(
        [[name, *(cells[(name, site)] for site in counts)] for _, name, _ in _SITE_ROWS],
        columns=["", *(f"Site {s}" if s != "Total" else s for s in counts)],
    )
    caption = (
        "Screening, enrollment and analysis sets by site. Screen failures, eligible patients "
        "not enrolled and enrolled patients: n (%) of the screened; analysis sets: n (%) of "
        "the enrolled."
    )
    return Table(frame, f"{markdown_table(shown)}\nTable: {caption}\n")
