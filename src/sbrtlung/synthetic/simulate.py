"""The built-in synthetic multicenter trial: the nine raw exports of a realistic cohort.

`simulate_trial` turns the latent model of `sbrtlung.synthetic.truth` (prognosis, SBRT schedules and
calibrated constant hazards) into case-report-form records, so the workflow can run end to
end without patient data and the pipeline can be checked against known truths
(`sbrtlung.synthetic.truth.true_values`). `write_exports` writes them as the data
contract's CSV files.
The model, its parameters and its simplifications are described in docs/synthetic_trial.md.

Observation: patients are enrolled uniformly over the accrual period from STUDY_START; the
data cut is accrual + minimum follow-up later. Every treated lesion is scanned at each of the
patient's follow-up scans, every 3 months for 2 years after the end of SBRT, then every 6
months; follow-up ends at loss to follow-up (exponential from the end of SBRT) or the data
cut, and the last contact is on or up to two weeks after the last scan before it. The last
contact depends on nothing that is being estimated, and nothing after it (or after death)
is recorded, so censoring is independent. Local, regional and distant failures are recorded
on the day they occur (a confirmed failure scan, a progression record), so observed times
are the latent times of `sbrtlung.synthetic.truth`.

Every table passes its pandera model and the FATAL cross-file rules of SAP 2.1; incomplete
courses, out-of-window lab samples, missing analytes, rare long courses and an occasional
patient without any fraction give the WARN findings a real trial has.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.study import (
    SYNTHETIC_LEAD_DAYS,
    SYNTHETIC_MONTH_DAYS,
    synthetic_dates,
)
from sbrtlung.study import SYNTHETIC_START as STUDY_START
from sbrtlung.synthetic import truth
from sbrtlung.tables import write_csv

MONTH_DAYS = SYNTHETIC_MONTH_DAYS
YEAR_DAYS = 365.25
MAX_PATIENTS_PER_SITE = 999  # patient ids are S01-001 .. S01-999
# A table as drawn: its columns as arrays, made into a typed frame only when asked for.
Columns = dict[str, Any]

# Decimals of every float column in the CSV files (values are rounded to them when drawn).
FLOAT_DECIMALS = {
    "pack_years": 1,
    "fev1_pct": 1,
    "dlco_pct": 1,
    "diameter_mm": 1,
    "consolidation_ratio": 2,
    "dose_gy": 1,
    "value": 3,
}

# Screening and enrollment.
SITE_SIZE_SHAPE = 2.0  # gamma shape of the relative site sizes (smaller = more unequal)
SCREENING_LEAD_DAYS = (0, 28)  # screening before enrollment
EXCLUSION_PROBS = (0.45, 0.35, 0.15, 0.05)  # in vocabulary order
FIRST_START_DAYS = (3, 21)  # enrollment to first planned fraction
SURGERY_LAG_MEDIAN_DAYS, SURGERY_LAG_SDLOG = 150.0, 0.7
SURGERY_LAG_RANGE = (21, 1500)

# Baseline characteristics (shares in vocabulary order).
MALE_SHARE = 0.58
SMOKING_PROBS = {"female": (0.55, 0.30, 0.15), "male": (0.20, 0.55, 0.25)}
PACK_YEARS_MEDIAN, PACK_YEARS_SDLOG, PACK_YEARS_RANGE = 30.0, 0.5, (1.0, 150.0)
FEV1_MEAN_SD, DLCO_MEAN_SD = (74.0, 16.0), (66.0, 15.0)
FEV1_MISSING, DLCO_MISSING = 0.06, 0.15
PULMONARY_RANGE = (20.0, 130.0)
CHARLSON_BASE, CHARLSON_EXTRA_MEAN = 2, 1.2
SURGERY_PROBS = (0.60, 0.15, 0.18, 0.04, 0.03)
PRIMARY_HISTOLOGY_PROBS = (0.75, 0.17, 0.08)
PSTAGE_PROBS = (0.15, 0.25, 0.20, 0.15, 0.10, 0.10, 0.05)
INOPERABLE_PROBS = (0.30, 0.20, 0.35, 0.10, 0.05)

# Nodules.
LOBE_PROBS = (0.30, 0.08, 0.20, 0.25, 0.17)
DIAMETER_MEDIAN_MM, DIAMETER_SDLOG, DIAMETER_RANGE = 12.0, 0.45, (3.0, 50.0)
PURE_GGO_SHARE = 0.15
CONSOLIDATION_BETA = (2.0, 1.5)
PATHOLOGICAL_SHARE = 0.40
LESION_HISTOLOGY_PROBS = (0.80, 0.12, 0.08)  # of pathologically diagnosed nodules
TECHNIQUE_PROBS = (0.60, 0.15, 0.05, 0.20)
SITE_TECHNIQUE_SHARE = 0.85  # courses given with the site's usual technique

# Follow-up imaging: 8 quarterly scans, then every 6 months, each with a small jitter.
QUARTERLY_SCANS = 8
SCAN_JITTER_DAYS = 7
CONTACT_AFTER_SCAN_DAYS = (0, 14)
PET_CT_SHARE = 0.12
NOT_EVALUABLE_SHARE = 0.02
LOCAL_CONFIRMATION_PROBS = (0.35, 0.40, 0.25)  # ct, pet, biopsy

# Regional and distant failures (shares of the locations of each site, confirmations).
REGIONAL_LOCATIONS = {"hilar_node": 0.35, "mediastinal_node": 0.50, "supraclavicular_node": 0.15}
DISTANT_LOCATIONS = {
    "other_lobe": 0.25,
    "contralateral_lung": 0.20,
    "pleura": 0.10,
    "brain": 0.15,
    "bone": 0.12,
    "liver": 0.05,
    "adrenal": 0.05,
    "other": 0.08,
}
SECOND_DISTANT_LOCATION = 0.20
PROGRESSION_CONFIRMATIONS = ("ct", "pet", "biopsy")
PROGRESSION_CONFIRMATION_PROBS = (0.35, 0.45, 0.20)  # brain metastases are confirmed by mri

# Causes of death (lung_cancer, other, unknown) after and without a prior failure.
CAUSES = ("lung_cancer", "other", "unknown")
CAUSE_PROBS_AFTER_FAILURE = (0.85, 0.10, 0.05)
CAUSE_PROBS_WITHOUT_FAILURE = (0.15, 0.65, 0.20)
TREATMENT_DEATH_PROB = 0.08  # of deaths without failure within a year of SBRT
TREATMENT_DEATH_WINDOW_DAYS = 365
FATAL_PNEUMONITIS_DAYS = (5, 45)  # onset before the death

# Adverse events: per term its share, onset window in days after TRTSDT (anchor 0) or
# TRTEDT (anchor 1), mean duration in days, chance to be ongoing, attribution shares.
AE_PER_PATIENT = 1.4
AE_GRADE_PROBS = (0.64, 0.325, 0.03, 0.005)  # grades 1-4; grade 5 only as a fatal pneumonitis
SERIOUS_PROBS = (0.03, 0.80)  # grade 1-2, grade >= 3
# simulation.grade3_trae_rate: its own random stream and the onset of the added AE after TRTEDT.
TOXICITY_STREAM = 23
TOXICITY_ONSET_DAYS = (30, 150)
_RELATED = (0.02, 0.05, 0.30, 0.40, 0.23)
_CHEST = (0.05, 0.10, 0.35, 0.35, 0.15)
_SYMPTOM = (0.15, 0.20, 0.40, 0.20, 0.05)
_SKIN = (0.00, 0.02, 0.18, 0.40, 0.40)
_UNLIKELY = (0.30, 0.30, 0.25, 0.10, 0.05)
_UNRELATED = (0.50, 0.30, 0.15, 0.05, 0.00)
AE_TERMS = {
    "pneumonitis": (0.16, 1, 30, 240, 60, 0.05, _RELATED),
    "pulmonary_fibrosis": (0.07, 1, 120, 720, 365, 0.50, _RELATED),
    "chest_wall_pain": (0.08, 1, 14, 540, 60, 0.10, _CHEST),
    "rib_fracture": (0.04, 1, 120, 720, 90, 0.10, _CHEST),
    "cough": (0.14, 0, 0, 120, 30, 0.08, _SYMPTOM),
    "dyspnea": (0.10, 0, 0, 180, 45, 0.10, (0.20, 0.20, 0.35, 0.20, 0.05)),
    "fatigue": (0.15, 0, 0, 45, 21, 0.05, (0.10, 0.15, 0.45, 0.25, 0.05)),
    "dermatitis_radiation": (0.05, 0, 7, 45, 21, 0.02, _SKIN),
    "esophagitis": (0.04, 0, 5, 40, 14, 0.02, (0.00, 0.03, 0.27, 0.40, 0.30)),
    "pleural_effusion": (0.04, 1, 30, 360, 60, 0.10, _UNLIKELY),
    "hemoptysis": (0.03, 1, 0, 360, 7, 0.02, _UNLIKELY),
    "pneumonia": (0.05, 0, 0, 540, 21, 0.02, _UNRELATED),
    "other": (0.05, 0, 0, 540, 30, 0.10, _UNRELATED),
}

# Laboratory values in canonical units: median and SD of the natural log at baseline, and
# the mean and SD of the log change at end of treatment and one month. Lymphocytes fall
# under SBRT and partly recover; NLR and CRP follow the latent markers of the prognosis.
NLR_LOG2_MEDIAN, NLR_LOG2_SD = math.log2(2.6), 0.75
CRP_LOG2_MEDIAN, CRP_LOG2_SD = math.log2(3.0), 1.3
WBC_OTHER_CELLS = 1.04  # wbc = (neutrophils + lymphocytes + monocytes) x this
# Lymphocytes come first (neutrophils are lymphocytes x NLR); wbc is the sum of the cells.
LAB_MODEL = {
    "lymphocytes": (1.6, 0.35, (-0.40, 0.20), (-0.18, 0.20)),
    "neutrophils": (None, None, (0.05, 0.15), (0.00, 0.15)),
    "monocytes": (0.45, 0.30, (0.00, 0.15), (0.00, 0.15)),
    "platelets": (220.0, 0.25, (-0.05, 0.10), (0.00, 0.10)),
    "hemoglobin": (132.0, 0.10, (-0.02, 0.04), (0.00, 0.04)),
    "albumin": (40.0, 0.10, (-0.02, 0.05), (0.00, 0.05)),
    "crp": (None, None, (0.25, 0.50), (0.00, 0.50)),
    "ldh": (190.0, 0.20, (0.00, 0.10), (0.00, 0.10)),
    "cea": (2.5, 0.80, (-0.05, 0.20), (-0.10, 0.25)),
    "cyfra21_1": (2.2, 0.50, (-0.05, 0.20), (-0.10, 0.25)),
    "nse": (13.0, 0.30, (-0.05, 0.20), (-0.10, 0.25)),
    "scc": (1.0, 0.50, (-0.05, 0.20), (-0.10, 0.25)),
    "progrp": (40.0, 0.40, (-0.05, 0.20), (-0.10, 0.25)),
}
# Sample days relative to TRTSDT (baseline) or TRTEDT: inside and outside the SAP windows.
LAB_DAYS_IN = ((-14, 0), (-2, 5), (20, 40))
LAB_DAYS_OUT = ((-42, -29), (8, 14), (45, 60))
# The earliest record before the first enrollment: a screening (SCREENING_LEAD_DAYS) or a
# baseline sample out of its window (LAB_DAYS_OUT) before the earliest first fraction.
# The study period the gate checks the trial against (`sbrtlung.study.synthetic_dates`) must
# hold that record.
FIRST_RECORD_LEAD_DAYS = max(SCREENING_LEAD_DAYS[1], -LAB_DAYS_OUT[0][0] - FIRST_START_DAYS[0])
if FIRST_RECORD_LEAD_DAYS > SYNTHETIC_LEAD_DAYS:
    raise ValueError("the synthetic trial dates a record before its study period")
# Alternative units and the sites that use them: site number % 3 == (group + 1) % 3.
UNIT_GROUPS = (
    (("wbc", "neutrophils", "lymphocytes", "monocytes", "platelets"), "/uL"),
    (("hemoglobin", "albumin"), "g/dL"),
    (("crp",), "mg/dL"),
    (("cea", "cyfra21_1", "nse", "scc"), "ug/L"),
    (("progrp",), "ng/L"),
)
UNIT_DECIMALS = {
    "10^9/L": 2,
    "/uL": 0,
    "g/L": 1,
    "g/dL": 2,
    "mg/L": 2,
    "mg/dL": 3,
    "U/L": 0,
    "ng/mL": 2,
    "ug/L": 2,
    "pg/mL": 1,
    "ng/L": 1,
}


def simulate_trial(
    sim: Mapping[str, Any], seed: int, exports: tuple[str, ...] = EXPORTS
) -> dict[str, pd.DataFrame]:
    """The raw exports of one synthetic trial, typed as the pandera models say.

    `sim` is the config's `simulation` block with its defaults filled (`config.load`). Rows
    are in key order (patient, then lesion, date or number) and the same seed gives the
    same tables. `exports` names the tables wanted. The tables are drawn from one random
    stream in the order of `draws` below; those after the last wanted one are not drawn at
    all, which changes none of the others (the simulation study asks for the efficacy
    tables only). follow_up draws nothing of its own: it is what `_follow` decided.
    """
    unknown = set(exports) - set(EXPORTS)
    if unknown:
        raise ValueError(f"unknown exports: {sorted(unknown)}")
    rng = np.random.default_rng(seed)
    hz = truth.hazards(sim)
    n = int(sim["n_patients"])
    accrual_days = sim["accrual_months"] * MONTH_DAYS
    cut = _day(synthetic_dates(sim)[1])

    weights, site, number, enrollment = _enrol(rng, n, int(sim["n_sites"]), accrual_days)
    ids = np.array([f"{s}-{k:03d}" for s, k in zip(_site_ids(site), number, strict=True)], object)
    prognosis = truth.draw_prognosis(rng, n, sim["marker_log_hr"])
    counts = truth.draw_lesion_counts(rng, n, sim["lesions_per_patient_probs"])
    courses = truth.draw_courses(
        rng, counts, sim["untreated_lesion_rate"], sim["incomplete_course_rate"]
    )
    planned = enrollment + _uniform_days(rng, FIRST_START_DAYS, n)
    timeline = _Timeline(
        treated=courses.treated_patient,
        trtsdt=planned + courses.first_start,
        trtedt=planned + courses.last_end,
        anchor=planned + courses.anchor,
        lesion_start=planned[courses.patient] + courses.start,
        lesion_end=planned[courses.patient] + courses.end,
    )
    fate = _follow(rng, sim, hz, prognosis, courses, timeline, cut)

    draws = {
        "screening": lambda: _screening(rng, sim, weights, site, enrollment, ids, accrual_days),
        "patients": lambda: _patients(rng, ids, site, enrollment, prognosis),
        "lesions": lambda: _lesions(rng, ids, courses),
        "sbrt": lambda: _sbrt(rng, ids, site, courses, timeline),
        "imaging": lambda: _imaging(rng, ids, courses, fate),
        "progression": lambda: _progression(rng, ids, fate),
        "adverse_events": lambda: _with_toxicity(
            _adverse_events(rng, ids, timeline, fate), sim, seed, ids, timeline, fate
        ),
        "labs": lambda: _labs(rng, sim, ids, site, prognosis, timeline, fate),
    }
    order = list(draws)
    last = max((order.index(stem) for stem in exports if stem in draws), default=-1)
    columns = {stem: draws[stem]() for stem in order[: last + 1]}
    columns["follow_up"] = {
        "patient_id": ids,
        "last_contact_date": np.where(fate.dead, fate.death_day, fate.contact),
        "vital_status": np.where(fate.dead, "dead", "alive"),
        "death_date": np.where(fate.dead, fate.death_day, np.nan),
        "cause_of_death": fate.cause,
    }
    return {stem: _frame(stem, columns[stem]) for stem in EXPORTS if stem in exports}


def write_exports(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write the nine exports as the data contract's CSV files; returns their paths.

    UTF-8, a header, `\\n` line ends, ISO dates, an empty field for a missing value and
    FLOAT_DECIMALS decimals, rows in the order given, so equal tables give identical bytes.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, model in EXPORTS.items():
        columns = list(model.to_schema().columns)
        text = pd.DataFrame({column: _as_text(tables[stem][column]) for column in columns})
        path = folder / f"{stem}.csv"
        write_csv(text, path)
        paths.append(path)
    return paths


def _as_text(column: pd.Series) -> np.ndarray:
    """The CSV fields of one column."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(column):
        text = np.datetime_as_string(column.to_numpy().astype("datetime64[D]"))
    elif pd.api.types.is_float_dtype(column):
        text = np.char.mod(f"%.{FLOAT_DECIMALS[column.name]}f", column.to_numpy())
    else:
        text = column.astype(str).to_numpy()
    text = text.astype(object)
    text[missing] = ""
    return text


# --- building blocks ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Timeline:
    """Treatment dates as day numbers: per patient and per lesion."""

    treated: np.ndarray  # at least one fraction delivered (safety set)
    trtsdt: np.ndarray  # first treated start (first planned start if never treated)
    trtedt: np.ndarray  # last treated end (the anchor if never treated)
    anchor: np.ndarray  # last end of any course record
    lesion_start: np.ndarray
    lesion_end: np.ndarray


@dataclass(frozen=True)
class _Fate:
    """What is observed of each patient: follow-up, events (day numbers, inf = none)."""

    scans: np.ndarray  # (patient, scan) scheduled scan days
    scanned: np.ndarray  # scan done: treated, alive and followed
    contact: np.ndarray  # last contact if alive at it
    dead: np.ndarray  # death observed
    death_day: np.ndarray
    record_end: np.ndarray  # last day with a record: death or last contact
    regional: np.ndarray
    distant: np.ndarray
    failure: np.ndarray  # per lesion: observed local failure
    cause: np.ndarray
    treatment_death: np.ndarray


def _site_ids(site: np.ndarray) -> list[str]:
    """S01, S02, ... of 0-based site numbers."""
    return [f"S{s + 1:02d}" for s in site]


def _day(date: np.datetime64) -> int:
    return int(date.astype("datetime64[D]").astype(np.int64))


def _uniform_days(rng: np.random.Generator, bounds: tuple[int, int], size: Any) -> np.ndarray:
    return rng.integers(bounds[0], bounds[1] + 1, size=size)


def _event_days(rng: np.random.Generator, rate: Any) -> np.ndarray:
    """Days from origin to an exponential event, dated on day ceil(t) (at least 1)."""
    with np.errstate(divide="ignore"):
        latent = rng.standard_exponential(np.shape(rate)) / rate
    return np.maximum(np.ceil(latent), 1)


def _pick(rng: np.random.Generator, codes: tuple, probs: tuple, size: int) -> np.ndarray:
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=size, p=probs)]


def _round(values: np.ndarray, decimals: Any) -> np.ndarray:
    scale = 10.0**decimals
    return np.rint(values * scale) / scale


def _dates(days: Any) -> np.ndarray:
    """Day numbers (NaN or inf = missing) as datetime64[ns]."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    known = np.isfinite(days)
    out[known] = days[known].astype(np.int64).astype("datetime64[D]")
    return out


def _frame(stem: str, data: Columns) -> pd.DataFrame:
    """A table with its model's columns, in order, and dtypes; None/NaN/inf are missing.

    Every column is a new array (no table shares memory with another or with the draws), so
    the frame can take them without pandas copying them again.
    """
    columns = EXPORTS[stem].to_schema().columns
    out = {}
    for name, spec in columns.items():
        kind, values = str(spec.dtype), data[name]
        if kind == "datetime64[ns]":
            out[name] = _dates(values)
        elif kind == "Int64":
            out[name] = pd.array(np.array(values, dtype=np.int64), dtype="Int64")
        elif kind == "float64":
            out[name] = np.array(values, dtype=float)
        else:
            out[name] = np.array(values, dtype=object)
    return pd.DataFrame(out, copy=False)


def _site_sizes(rng: np.random.Generator, n: int, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    """Unequal site weights (largest first) and enrolled patients per site, at most 999."""
    if n > MAX_PATIENTS_PER_SITE * n_sites:
        raise ValueError(f"{n} patients need more than {n_sites} sites of at most 999 patients")
    weights = np.sort(rng.gamma(SITE_SIZE_SHAPE, size=n_sites))[::-1]
    weights /= weights.sum()
    sizes = rng.multinomial(n, weights)
    while (over := sizes > MAX_PATIENTS_PER_SITE).any():
        excess = int((sizes[over] - MAX_PATIENTS_PER_SITE).sum())
        sizes[over] = MAX_PATIENTS_PER_SITE
        room = weights * (sizes < MAX_PATIENTS_PER_SITE)
        sizes += rng.multinomial(excess, room / room.sum())
    return weights, sizes


def _enrol(
    rng: np.random.Generator, n: int, n_sites: int, accrual_days: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Site weights, and each patient's site, number within site and enrollment day, with
    patients in id order (numbers follow enrollment within a site)."""
    weights, sizes = _site_sizes(rng, n, n_sites)
    site = rng.permutation(np.repeat(np.arange(n_sites), sizes))
    enrollment = _day(STUDY_START) + np.sort(np.floor(rng.random(n) * accrual_days)).astype(int)
    order = np.argsort(site, kind="stable")
    site, enrollment = site[order], enrollment[order]
    first = np.searchsorted(site, site)
    return weights, site, np.arange(n) - first + 1, enrollment


def _screening(
    rng: np.random.Generator,
    sim: Mapping[str, Any],
    weights: np.ndarray,
    site: np.ndarray,
    enrollment: np.ndarray,
    ids: np.ndarray,
    accrual_days: float,
) -> Columns:
    n = len(ids)
    n_failed = max(round(n / (1 - sim["screen_failure_rate"])) - n, 0)
    failed_site = rng.choice(len(weights), size=n_failed, p=weights)
    failed_day = _day(STUDY_START) + np.floor(rng.random(n_failed) * accrual_days).astype(int)
    all_site = np.concatenate((site, failed_site))
    day = np.concatenate((enrollment - _uniform_days(rng, SCREENING_LEAD_DAYS, n), failed_day))
    order = np.lexsort((rng.random(len(day)), day, all_site))
    sorted_site = all_site[order]
    number = np.arange(len(order)) - np.searchsorted(sorted_site, sorted_site) + 1
    reason = _pick(rng, v.EXCLUSION_REASONS, EXCLUSION_PROBS, n_failed)
    eligible = np.concatenate((np.full(n, "yes", object), np.full(n_failed, "no", object)))
    return {
        "screening_id": [
            f"SCR-{s}-{k:04d}" for s, k in zip(_site_ids(sorted_site), number, strict=True)
        ],
        "site_id": _site_ids(sorted_site),
        "screening_date": day[order],
        "eligible": eligible[order],
        "exclusion_reason": np.concatenate((np.full(n, None, object), reason))[order],
        "patient_id": np.concatenate((ids, np.full(n_failed, None, object)))[order],
    }


def _patients(
    rng: np.random.Generator,
    ids: np.ndarray,
    site: np.ndarray,
    enrollment: np.ndarray,
    prognosis: truth.Prognosis,
) -> Columns:
    n = len(ids)
    sex = np.where(rng.random(n) < MALE_SHARE, "male", "female").astype(object)
    smoking = np.where(
        sex == "male",
        _pick(rng, v.SMOKING, SMOKING_PROBS["male"], n),
        _pick(rng, v.SMOKING, SMOKING_PROBS["female"], n),
    )
    pack_years = np.clip(
        rng.lognormal(math.log(PACK_YEARS_MEDIAN), PACK_YEARS_SDLOG, n), *PACK_YEARS_RANGE
    )
    fev1 = np.clip(rng.normal(*FEV1_MEAN_SD, n), *PULMONARY_RANGE)
    dlco = np.clip(rng.normal(*DLCO_MEAN_SD, n), *PULMONARY_RANGE)
    lag = rng.lognormal(math.log(SURGERY_LAG_MEDIAN_DAYS), SURGERY_LAG_SDLOG, n)
    return {
        "patient_id": ids,
        "site_id": _site_ids(site),
        "enrollment_date": enrollment,
        "age": prognosis.age,
        "sex": sex,
        "ecog": prognosis.ecog,
        "smoking": smoking,
        "pack_years": np.where(smoking == "never", 0.0, _round(pack_years, 1)),
        "fev1_pct": np.where(rng.random(n) < FEV1_MISSING, np.nan, _round(fev1, 1)),
        "dlco_pct": np.where(rng.random(n) < DLCO_MISSING, np.nan, _round(dlco, 1)),
        "charlson": np.minimum(CHARLSON_BASE + rng.poisson(CHARLSON_EXTRA_MEAN, n), 15),
        "surgery_date": enrollment - np.clip(np.rint(lag), *SURGERY_LAG_RANGE),
        "surgery_type": _pick(rng, v.SURGERY_TYPES, SURGERY_PROBS, n),
        "primary_histology": _pick(rng, v.PRIMARY_HISTOLOGIES, PRIMARY_HISTOLOGY_PROBS, n),
        "primary_pstage": _pick(rng, v.PRIMARY_PSTAGES, PSTAGE_PROBS, n),
        "inoperable_reason": _pick(rng, v.INOPERABLE_REASONS, INOPERABLE_PROBS, n),
    }


def _lesions(rng: np.random.Generator, ids: np.ndarray, courses: truth.Courses) -> Columns:
    m = len(courses.patient)
    diameter = np.clip(
        rng.lognormal(math.log(DIAMETER_MEDIAN_MM), DIAMETER_SDLOG, m), *DIAMETER_RANGE
    )
    solid = rng.beta(*CONSOLIDATION_BETA, m)
    pathological = rng.random(m) < PATHOLOGICAL_SHARE
    histology = _pick(rng, v.LESION_HISTOLOGIES[:3], LESION_HISTOLOGY_PROBS, m)
    return {
        "patient_id": ids[courses.patient],
        "lesion_id": np.asarray(v.LESION_IDS, object)[courses.number - 1],
        "lobe": _pick(rng, v.LOBES, LOBE_PROBS, m),
        "diameter_mm": _round(diameter, 1),
        "consolidation_ratio": np.where(rng.random(m) < PURE_GGO_SHARE, 0.0, _round(solid, 2)),
        "location": np.where(courses.central, "central", "peripheral"),
        "diagnosis": np.where(pathological, "pathological", "clinical"),
        "histology": np.where(pathological, histology, "unknown"),
    }


def _sbrt(
    rng: np.random.Generator,
    ids: np.ndarray,
    site: np.ndarray,
    courses: truth.Courses,
    timeline: _Timeline,
) -> Columns:
    m = len(courses.patient)
    usual = rng.choice(len(v.TECHNIQUES), size=site.max() + 1, p=TECHNIQUE_PROBS)
    other = rng.choice(len(v.TECHNIQUES), size=m, p=TECHNIQUE_PROBS)
    technique = np.where(rng.random(m) < SITE_TECHNIQUE_SHARE, usual[site[courses.patient]], other)
    return {
        "patient_id": ids[courses.patient],
        "lesion_id": np.asarray(v.LESION_IDS, object)[courses.number - 1],
        "start_date": timeline.lesion_start,
        "end_date": timeline.lesion_end,
        "dose_gy": courses.dose_gy,
        "fractions_planned": courses.fractions_planned,
        "fractions_delivered": courses.fractions_delivered,
        "technique": np.asarray(v.TECHNIQUES, object)[technique],
    }


def _scan_schedule(rng: np.random.Generator, anchor: np.ndarray, cut: int) -> np.ndarray:
    """Scheduled scan days of every patient, covering follow-up to the data cut."""
    later = max(0.0, cut - anchor.min() - 2 * YEAR_DAYS)
    index = np.arange(1, QUARTERLY_SCANS + math.ceil(later / (YEAR_DAYS / 2)) + 2)
    nominal = np.where(
        index <= QUARTERLY_SCANS,
        np.rint(index * YEAR_DAYS / 4),
        np.rint(2 * YEAR_DAYS + (index - QUARTERLY_SCANS) * YEAR_DAYS / 2),
    ).astype(np.int64)
    jitter = rng.integers(-SCAN_JITTER_DAYS, SCAN_JITTER_DAYS + 1, (len(anchor), len(index)))
    return anchor[:, None] + nominal + jitter


def _follow(
    rng: np.random.Generator,
    sim: Mapping[str, Any],
    hz: truth.Hazards,
    prognosis: truth.Prognosis,
    courses: truth.Courses,
    timeline: _Timeline,
    cut: int,
) -> _Fate:
    """Latent event times, follow-up and what of them is observed.

    Follow-up ends at loss to follow-up or the data cut (never before the end of SBRT, so a
    course under way at a very early cut is exported whole); the last contact is the last
    scan before that plus up to two weeks, and nothing after it is recorded.
    """
    n = len(timeline.anchor)
    anchor = timeline.anchor
    death = anchor + _event_days(rng, hz.death * prognosis.death_risk)
    dropout = anchor + _event_days(rng, np.full(n, sim["dropout_per_year"] / YEAR_DAYS))
    follow_end = np.maximum(np.minimum(dropout, cut), anchor)
    scans = _scan_schedule(rng, anchor, cut)
    done = scans <= follow_end[:, None]
    last_scan = np.where(done, scans, anchor[:, None]).max(axis=1)
    after_scan = _uniform_days(rng, CONTACT_AFTER_SCAN_DAYS, n)
    contact = np.where(done.any(axis=1), np.minimum(follow_end, last_scan + after_scan), follow_end)
    dead = death <= contact
    record_end = np.where(dead, death, contact)

    treated = timeline.treated
    risk = hz.regional * prognosis.progression_risk
    regional = timeline.trtsdt + _event_days(rng, risk)
    risk = hz.distant * prognosis.progression_risk
    distant = timeline.trtsdt + _event_days(rng, risk)
    regional = np.where(treated & (regional <= record_end), regional, np.inf)
    distant = np.where(treated & (distant <= record_end), distant, np.inf)
    # A central nodule's local hazard is `central_local_hr` times the others' (1 by default,
    # where the rate array equals the scalar hazard and the draws are unchanged).
    central_hr = np.where(courses.central, sim.get("central_local_hr", 1.0), 1.0)
    failure = timeline.lesion_start + _event_days(rng, hz.local * central_hr)
    seen = courses.treated & (failure <= record_end[courses.patient])
    failure = np.where(seen, failure, np.inf)

    first_failure = np.minimum(regional, distant)
    np.minimum.at(first_failure, courses.patient, failure)
    progressed = first_failure <= death
    cause = np.where(
        progressed,
        _pick(rng, CAUSES, CAUSE_PROBS_AFTER_FAILURE, n),
        _pick(rng, CAUSES, CAUSE_PROBS_WITHOUT_FAILURE, n),
    )
    treatment_death = (
        dead
        & treated
        & ~progressed
        & (death - anchor <= TREATMENT_DEATH_WINDOW_DAYS)
        & (rng.random(n) < TREATMENT_DEATH_PROB)
    )
    cause = np.where(treatment_death, "treatment_related", cause)
    return _Fate(
        scans=scans,
        scanned=treated[:, None] & (scans <= record_end[:, None]),
        contact=contact,
        dead=dead,
        death_day=death,
        record_end=record_end,
        regional=regional,
        distant=distant,
        failure=failure,
        cause=np.where(dead, cause, None),
        treatment_death=treatment_death,
    )


def _imaging(
    rng: np.random.Generator, ids: np.ndarray, courses: truth.Courses, fate: _Fate
) -> Columns:
    """Every treated lesion at each of its patient's scans, plus a confirmed failure scan on
    the day of a local failure (replacing a routine scan that day); a failed lesion stays
    failed, with its confirmation, at later scans."""
    per_patient = fate.scanned.sum(axis=1)
    scan_days = fate.scans[fate.scanned]
    scan_pet = rng.random(len(scan_days)) < PET_CT_SHARE
    first_scan = np.cumsum(per_patient) - per_patient
    lesions = np.flatnonzero(courses.treated)
    repeats = per_patient[courses.patient[lesions]]
    lesion = np.repeat(lesions, repeats)
    within = np.arange(len(lesion)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    scan = first_scan[courses.patient[lesion]] + within
    day, failure = scan_days[scan], fate.failure[lesion]
    confirmed = _pick(rng, v.LOCAL_CONFIRMATIONS, LOCAL_CONFIRMATION_PROBS, len(courses.patient))
    unreadable = rng.random(len(lesion)) < NOT_EVALUABLE_SHARE
    keep = day != failure

    failed = np.flatnonzero(np.isfinite(fate.failure))
    failed_pet = (confirmed[failed] == "pet") | (rng.random(len(failed)) < PET_CT_SHARE)
    lesion = np.concatenate((lesion[keep], failed))
    day = np.concatenate((day[keep], fate.failure[failed]))
    pet = np.concatenate((scan_pet[scan][keep], failed_pet))
    unreadable = np.concatenate((unreadable[keep], np.zeros(len(failed), bool)))
    order = np.lexsort((day, lesion))
    lesion, day, pet, unreadable = (a[order] for a in (lesion, day, pet, unreadable))
    failed_now = day >= fate.failure[lesion]
    return {
        "patient_id": ids[courses.patient[lesion]],
        "lesion_id": np.asarray(v.LESION_IDS, object)[courses.number[lesion] - 1],
        "assessment_date": day,
        "modality": np.where(pet, "pet_ct", "ct"),
        "local_status": np.where(
            failed_now, "failure", np.where(unreadable, "not_evaluable", "controlled")
        ),
        "confirmation": np.where(failed_now, confirmed[lesion], None),
    }


def _progression(rng: np.random.Generator, ids: np.ndarray, fate: _Fate) -> Columns:
    """The first regional and the first distant failure (sometimes at two distant places)."""
    regional = np.flatnonzero(np.isfinite(fate.regional))
    distant = np.flatnonzero(np.isfinite(fate.distant))
    second = distant[rng.random(len(distant)) < SECOND_DISTANT_LOCATION]
    near, far = tuple(REGIONAL_LOCATIONS), tuple(DISTANT_LOCATIONS)
    far_probs = tuple(DISTANT_LOCATIONS.values())
    near_at = rng.choice(len(near), size=len(regional), p=tuple(REGIONAL_LOCATIONS.values()))
    far_at = rng.choice(len(far), size=len(distant), p=far_probs)
    first_of_second = far_at[np.searchsorted(distant, second)]
    second_at = (first_of_second + _uniform_days(rng, (1, len(far) - 1), len(second))) % len(far)
    patient = np.concatenate((regional, distant, second))
    location = np.concatenate(
        (np.asarray(near, object)[near_at], np.asarray(far, object)[np.r_[far_at, second_at]])
    )
    confirmation = _pick(
        rng, PROGRESSION_CONFIRMATIONS, PROGRESSION_CONFIRMATION_PROBS, len(patient)
    )
    columns = {
        "patient_id": ids[patient],
        "event_date": np.concatenate(
            (fate.regional[regional], fate.distant[distant], fate.distant[second])
        ),
        "site": np.repeat(("regional", "distant"), (len(regional), len(distant) + len(second))),
        "location": location,
        "confirmation": np.where(location == "brain", "mri", confirmation),
    }
    key = ("patient_id", "event_date", "site", "location")
    order = np.lexsort(tuple(columns[name] for name in reversed(key)))  # stable, last key first
    return {name: values[order] for name, values in columns.items()}


def _adverse_events(
    rng: np.random.Generator, ids: np.ndarray, timeline: _Timeline, fate: _Fate
) -> Columns:
    """AE episodes of treated patients from onset on/after TRTSDT, recorded while followed
    (an episode still going at the last record is ongoing), and a grade 5 pneumonitis
    before every treatment-related death."""
    names = tuple(AE_TERMS)
    share, anchored, low, high, duration, ongoing, attribution = (
        np.array(column) for column in zip(*AE_TERMS.values(), strict=True)
    )
    counts = rng.poisson(AE_PER_PATIENT, len(ids)) * timeline.treated
    patient = np.repeat(np.arange(len(ids)), counts)
    m = len(patient)
    term = rng.choice(len(names), size=m, p=share)
    origin = np.where(anchored[term] == 1, timeline.trtedt[patient], timeline.trtsdt[patient])
    onset = origin + low[term] + np.floor(rng.random(m) * (high[term] - low[term] + 1))
    end = onset + 1 + np.floor(rng.exponential(duration[term]))
    end = np.where(rng.random(m) < ongoing[term], np.inf, end)
    grade = rng.choice(4, size=m, p=AE_GRADE_PROBS) + 1
    serious = rng.random(m) < np.where(grade >= 3, SERIOUS_PROBS[1], SERIOUS_PROBS[0])
    cumulative = np.cumsum(attribution, axis=1)[term]
    related = np.minimum((rng.random(m)[:, None] > cumulative).sum(axis=1), 4)

    fatal = np.flatnonzero(fate.treatment_death)
    lead = _uniform_days(rng, FATAL_PNEUMONITIS_DAYS, len(fatal))
    patient = np.concatenate((patient, fatal))
    term = np.concatenate((term, np.full(len(fatal), names.index("pneumonitis"))))
    onset = np.concatenate(
        (onset, np.maximum(fate.death_day[fatal] - lead, timeline.trtsdt[fatal]))
    )
    end = np.concatenate((end, fate.death_day[fatal]))
    grade = np.concatenate((grade, np.full(len(fatal), 5)))
    serious = np.concatenate((serious, np.ones(len(fatal), bool)))
    related = np.concatenate((related, 3 + (rng.random(len(fatal)) < 0.5)))

    seen = onset <= fate.record_end[patient]
    end = np.where(end <= fate.record_end[patient], end, np.inf)
    order = np.lexsort((term, onset, patient))
    order = order[seen[order]]
    patient = patient[order]
    number = np.arange(len(order)) - np.searchsorted(patient, patient) + 1
    return {
        "patient_id": ids[patient],
        "ae_id": [f"AE{k:02d}" for k in number],
        "term": np.asarray(names, object)[term[order]],
        "grade": grade[order],
        "onset_date": onset[order],
        "end_date": end[order],
        "serious": np.where(serious[order], "yes", "no"),
        "attribution": np.asarray(v.ATTRIBUTIONS, object)[related[order]],
    }


def _with_toxicity(
    columns: Columns,
    sim: Mapping[str, Any],
    seed: int,
    ids: np.ndarray,
    timeline: _Timeline,
    fate: _Fate,
) -> Columns:
    """The AEs with a set true rate of grade >= 3 treatment-related AE per treated patient
    (`simulation.grade3_trae_rate`; null, the default, leaves the AEs as drawn).

    Drawn from its own stream (seed, TOXICITY_STREAM), so the other exports do not change:
    each treated patient has the AE with probability rate. A patient without it has every
    non-fatal grade 3-4 treatment-related AE lowered to grade 2; a patient with it gets one
    grade 3 pneumonitis TOXICITY_ONSET_DAYS after the last SBRT end, recorded if followed
    then. The grade 5 pneumonitis of a treatment-related death stays, so the rate within
    the monitoring window is the set rate plus those few deaths.
    """
    rate = sim.get("grade3_trae_rate")
    if rate is None:
        return columns
    tox = np.random.default_rng((seed, TOXICITY_STREAM))
    toxic = (tox.random(len(ids)) < rate) & timeline.treated
    onset_after = _uniform_days(tox, TOXICITY_ONSET_DAYS, len(ids))
    index = {patient: k for k, patient in enumerate(ids)}
    patient = np.array([index[p] for p in columns["patient_id"]], dtype=np.int64)
    related = np.isin(columns["attribution"], v.RELATED_ATTRIBUTIONS)
    lower = related & (columns["grade"] >= 3) & (columns["grade"] < 5) & ~toxic[patient]
    grade = np.where(lower, 2, columns["grade"])
    onset = (timeline.trtedt + onset_after).astype(float)
    new = np.flatnonzero(toxic & (onset <= fate.record_end))
    merged = {
        "patient": np.concatenate((patient, new)),
        "term": np.concatenate((columns["term"], np.full(len(new), "pneumonitis", object))),
        "grade": np.concatenate((grade, np.full(len(new), 3))),
        "onset_date": np.concatenate((np.asarray(columns["onset_date"], float), onset[new])),
        "end_date": np.concatenate(
            (np.asarray(columns["end_date"], float), np.full(len(new), np.inf))
        ),
        "serious": np.concatenate((columns["serious"], np.full(len(new), "yes", object))),
        "attribution": np.concatenate(
            (columns["attribution"], np.full(len(new), "probable", object))
        ),
    }
    order = np.lexsort((merged["term"], merged["onset_date"], merged["patient"]))
    patient = merged["patient"][order]
    number = np.arange(len(order)) - np.searchsorted(patient, patient) + 1
    out = {name: values[order] for name, values in merged.items() if name != "patient"}
    return {"patient_id": ids[patient], "ae_id": [f"AE{k:02d}" for k in number], **out}


def _lab_values(rng: np.random.Generator, prognosis: truth.Prognosis) -> np.ndarray:
    """Canonical values (patient, timepoint, analyte) in vocabulary order of both."""
    n, analytes = len(prognosis.age), v.ANALYTES
    values = np.empty((n, len(v.TIMEPOINTS), len(analytes)))
    for name, (median, sdlog, *changes) in LAB_MODEL.items():
        j = analytes.index(name)
        if name == "neutrophils":
            base = values[:, 0, analytes.index("lymphocytes")] * 2.0 ** (
                NLR_LOG2_MEDIAN + NLR_LOG2_SD * prognosis.z_nlr
            )
        elif name == "crp":
            base = 2.0 ** (CRP_LOG2_MEDIAN + CRP_LOG2_SD * prognosis.z_crp)
        else:
            base = rng.lognormal(math.log(median), sdlog, n)
        values[:, 0, j] = base
        for t, (mean, sd) in enumerate(changes, start=1):
            values[:, t, j] = base * np.exp(rng.normal(mean, sd, n))
    cells = [analytes.index(name) for name in ("neutrophils", "lymphocytes", "monocytes")]
    values[:, :, analytes.index("wbc")] = values[:, :, cells].sum(axis=2) * WBC_OTHER_CELLS
    return values


def _site_units(n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit and factor to canonical of each (site, analyte)."""
    units = np.array([[v.CANONICAL_UNITS[a] for a in v.ANALYTES]] * n_sites, dtype=object)
    for group, (analytes, unit) in enumerate(UNIT_GROUPS):
        sites = np.flatnonzero(np.arange(1, n_sites + 1) % 3 == (group + 1) % 3)
        for analyte in analytes:
            units[sites, v.ANALYTES.index(analyte)] = unit
    factors = np.array(
        [[v.LAB_UNITS[a][units[s, j]] for j, a in enumerate(v.ANALYTES)] for s in range(n_sites)]
    )
    return units, factors


def _labs(
    rng: np.random.Generator,
    sim: Mapping[str, Any],
    ids: np.ndarray,
    site: np.ndarray,
    prognosis: truth.Prognosis,
    timeline: _Timeline,
    fate: _Fate,
) -> Columns:
    """14 analytes at 3 timepoints; a patient never treated has a baseline sample only, and
    no sample is taken after the last record (death or last contact)."""
    n, k = len(ids), len(v.ANALYTES)
    canonical = _lab_values(rng, prognosis)
    origin = np.column_stack((timeline.trtsdt, timeline.trtedt, timeline.trtedt))
    low_in, high_in = np.array(LAB_DAYS_IN).T
    low_out, high_out = np.array(LAB_DAYS_OUT).T
    outside = rng.random((n, 3)) < sim["out_of_window_rate"]
    low, high = np.where(outside, low_out, low_in), np.where(outside, high_out, high_in)
    day = origin + low + np.floor(rng.random((n, 3)) * (high - low + 1)).astype(np.int64)
    taken = day <= fate.record_end[:, None]
    taken[:, 1:] &= timeline.treated[:, None]
    present = taken[:, :, None] & (rng.random((n, 3, k)) >= sim["missing_lab_rate"])

    units, factors = _site_units(int(site.max()) + 1)
    decimals = np.vectorize(UNIT_DECIMALS.get)(units)[site][:, None, :]
    raw = canonical / factors[site][:, None, :]
    raw = np.maximum(_round(raw, decimals), 10.0**-decimals)
    patient, timepoint, analyte = np.nonzero(present)
    return {
        "patient_id": ids[patient],
        "timepoint": np.asarray(v.TIMEPOINTS, object)[timepoint],
        "sample_date": day[patient, timepoint],
        "analyte": np.asarray(v.ANALYTES, object)[analyte],
        "value": raw[patient, timepoint, analyte],
        "unit": units[site[patient], analyte],
    }
