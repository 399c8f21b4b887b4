"""Latent model of the synthetic trial and its exact population truths.

The synthetic trial (`sbrtlung.synthetic.simulate`) draws each patient's prognosis and SBRT schedule
with the functions of this module, then latent event times from constant hazards. The hazards
are solved here so that the SAP estimands of the generated population equal the config's
`true_*` values; `true_values` then gives every estimand the pipeline should recover.

Latent model (times in days):

- Death: hazard `death * death_risk`, starting at the patient's anchor, the end of the last
  SBRT course record (no death during treatment, so no record can follow a death).
- Regional and distant failure: hazards `regional * progression_risk` and
  `distant * progression_risk` from the first SBRT start (TRTSDT).
- Local failure of a treated lesion: hazard `local` from that lesion's start, independent of
  everything else.
- All latent times are independent given the patient's prognosis; an event at latent time t
  after its origin is dated on day ceil(t), so an event is at or before a horizon of h days
  (730.5 for two years) exactly when t <= floor(h) (`event_horizon`).
- The config's targets (`true_lcr_2y`, ...) are values at TARGET_DAYS, two years, whatever the
  analysis's horizon; `true_values` gives the estimands at the study's horizon.

The expectations over prognosis and treatment schedule are averages of exact conditional
formulas over a fixed, seeded sample of CALIBRATION_SIZE patients drawn by the same functions
as the trial, so the Monte Carlo error of every truth is a few 1e-4 at most. Only the safety
set (at least one fraction delivered) enters, the population of every efficacy estimand.
Two approximations are far below that error: a local failure and a death dated on the same
day count as a failure (the derivation does the same) although the latent death may be the
earlier one, and marker values are rounded in the exports.
"""

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.optimize import brentq

from sbrtlung.schemas.vocabulary import treated as treats

TARGET_DAYS = 730.5  # the time of the simulation's targets (`true_lcr_2y`, ...): two years
CALIBRATION_SIZE = 200_000
CALIBRATION_SEED = 20_240_601

# Prognosis: ECOG 0/1/2 shares, age ~ rounded normal clipped to a plausible range, and the
# clinical log hazard ratios of death (modest, not in the config).
ECOG_PROBS = (0.45, 0.45, 0.10)
AGE_MEAN, AGE_SD, AGE_MIN, AGE_MAX = 68.0, 8.0, 40, 90
ECOG_LOG_HR_DEATH = math.log(1.4)  # per ECOG level
AGE_LOG_HR_DEATH = math.log(1.3)  # per 10 years, centred at 70
MARKER_CORRELATION = 0.4  # between the latent standardised log2 NLR and log2 CRP

# SBRT regimens (total Gy, fractions, share) by nodule location.
CENTRAL_PROB = 0.12
PERIPHERAL_REGIMENS = ((54.0, 3, 0.45), (48.0, 4, 0.30), (50.0, 5, 0.25))
CENTRAL_REGIMENS = ((60.0, 8, 0.60), (70.0, 10, 0.40))
MAX_FRACTIONS = 10
# Days between fractions (roughly every other day), with a rare interruption.
FRACTION_GAPS = (1, 2, 3, 4)
FRACTION_GAP_PROBS = (0.15, 0.60, 0.20, 0.05)
INTERRUPTION_PROB = 0.01
INTERRUPTION_DAYS = (3, 10)
NEXT_LESION_DAYS = (1, 14)  # from one lesion's start to the next one's


@dataclass(frozen=True)
class Prognosis:
    """Patient-level covariates that drive the hazards (one entry per patient)."""

    age: np.ndarray
    ecog: np.ndarray
    z_nlr: np.ndarray  # standardised latent log2 baseline NLR
    z_crp: np.ndarray  # standardised latent log2 baseline CRP
    death_risk: np.ndarray  # hazard multiplier of death
    progression_risk: np.ndarray  # hazard multiplier of regional and distant failure


@dataclass(frozen=True)
class Courses:
    """SBRT courses, one per lesion, lesions ordered by patient then start (= lesion number).

    Days are offsets from the patient's first planned start. Patient-level fields: the first
    start and last end over treated lesions (TRTSDT, TRTEDT; for a patient never treated, the
    first planned start and the anchor) and the anchor, the last end over all course records.
    """

    patient: np.ndarray
    number: np.ndarray
    central: np.ndarray
    dose_gy: np.ndarray
    fractions_planned: np.ndarray
    fractions_delivered: np.ndarray
    start: np.ndarray
    end: np.ndarray
    treated_patient: np.ndarray
    first_start: np.ndarray
    last_end: np.ndarray
    anchor: np.ndarray

    @property
    def treated(self) -> np.ndarray:
        """Whether each course treated its lesion (`vocabulary.treated`)."""
        return treats(self.fractions_delivered)


@dataclass(frozen=True)
class Hazards:
    """Calibrated baseline hazards per day."""

    local: float
    death: float
    regional: float
    distant: float


def draw_lesion_counts(rng: np.random.Generator, n: int, probs: list[float]) -> np.ndarray:
    """Residual nodules per patient: 1, 2, ... with the (normalised) given probabilities."""
    p = np.asarray(probs, dtype=float)
    if p.sum() <= 0:
        raise ValueError("lesions_per_patient_probs must have a positive sum")
    return rng.choice(len(p), size=n, p=p / p.sum()) + 1


def draw_prognosis(
    rng: np.random.Generator, n: int, marker_log_hr: Mapping[str, float]
) -> Prognosis:
    """Age, ECOG and the two correlated latent markers, and the hazard multipliers they give."""
    age = np.clip(np.rint(rng.normal(AGE_MEAN, AGE_SD, n)), AGE_MIN, AGE_MAX).astype(np.int64)
    ecog = rng.choice(len(ECOG_PROBS), size=n, p=ECOG_PROBS).astype(np.int64)
    z_nlr = rng.standard_normal(n)
    rho = MARKER_CORRELATION
    z_crp = rho * z_nlr + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    eta_death = (
        marker_log_hr["nlr_death"] * z_nlr
        + marker_log_hr["crp_death"] * z_crp
        + ECOG_LOG_HR_DEATH * ecog
        + AGE_LOG_HR_DEATH * (age - 70) / 10
    )
    eta_progression = (
        marker_log_hr["nlr_progression"] * z_nlr + marker_log_hr["crp_progression"] * z_crp
    )
    return Prognosis(age, ecog, z_nlr, z_crp, np.exp(eta_death), np.exp(eta_progression))


def _choose(rng: np.random.Generator, table: tuple, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Dose and fractions of n courses drawn from a regimen table."""
    dose, fractions, share = (np.array(column) for column in zip(*table, strict=True))
    pick = rng.choice(len(table), size=n, p=share / share.sum())
    return dose[pick], fractions[pick]


def draw_courses(
    rng: np.random.Generator, counts: np.ndarray, untreated_rate: float, incomplete_rate: float
) -> Courses:
    """Regimen, delivered fractions and dates of every lesion's course.

    A course delivers no fraction with probability `untreated_rate` (its record is dated on
    its planned start); otherwise it stops early with probability `incomplete_rate`, after a
    uniform number of fractions short of the plan.
    """
    n_patients, n_lesions = len(counts), int(counts.sum())
    patient = np.repeat(np.arange(n_patients), counts)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    number = np.arange(n_lesions) - np.repeat(first, counts) + 1

    central = rng.random(n_lesions) < CENTRAL_PROB
    dose = np.empty(n_lesions)
    planned = np.empty(n_lesions, dtype=np.int64)
    for mask, table in ((~central, PERIPHERAL_REGIMENS), (central, CENTRAL_REGIMENS)):
        dose[mask], planned[mask] = _choose(rng, table, int(mask.sum()))

    untreated = rng.random(n_lesions) < untreated_rate
    incomplete = ~untreated & (rng.random(n_lesions) < incomplete_rate)
    short = 1 + np.floor(rng.random(n_lesions) * (planned - 1)).astype(np.int64)
    delivered = np.where(untreated, 0, np.where(incomplete, short, planned))

    shape = (n_lesions, MAX_FRACTIONS - 1)
    gaps = rng.choice(FRACTION_GAPS, size=shape, p=FRACTION_GAP_PROBS)
    low, high = INTERRUPTION_DAYS
    gaps += (rng.random(shape) < INTERRUPTION_PROB) * rng.integers(low, high + 1, size=shape)
    elapsed = np.concatenate((np.zeros((n_lesions, 1), np.int64), np.cumsum(gaps, axis=1)), 1)
    duration = elapsed[np.arange(n_lesions), np.maximum(delivered - 1, 0)]

    step = rng.integers(NEXT_LESION_DAYS[0], NEXT_LESION_DAYS[1] + 1, n_lesions)
    step[first] = 0
    total = np.cumsum(step)
    start = total - np.repeat(total[first], counts)
    end = start + duration

    treated = treats(delivered)
    big = np.iinfo(np.int64).max
    first_start = np.minimum.reduceat(np.where(treated, start, big), first)
    last_end = np.maximum.reduceat(np.where(treated, end, -1), first)
    anchor = np.maximum.reduceat(end, first)
    treated_patient = last_end >= 0
    return Courses(
        patient=patient,
        number=number,
        central=central,
        dose_gy=dose,
        fractions_planned=planned,
        fractions_delivered=delivered,
        start=start,
        end=end,
        treated_patient=treated_patient,
        first_start=np.where(treated_patient, first_start, 0),
        last_end=np.where(treated_patient, last_end, anchor),
        anchor=anchor,
    )


@dataclass(frozen=True)
class _Sample:
    """The safety set of the calibration sample, reduced to what the truths need."""

    death_risk: np.ndarray
    progression_risk: np.ndarray
    death_delay: np.ndarray  # anchor - TRTSDT
    lesion_patient: np.ndarray  # safety-set patient of each treated lesion
    lesion_delay: np.ndarray  # anchor - lesion start
    starts: np.ndarray  # treated lesions' starts - TRTSDT, padded with +inf


def _key(sim: Mapping[str, Any]) -> tuple:
    """The part of the simulation config the latent model depends on, hashable."""
    markers = sim["marker_log_hr"]
    return (
        tuple(float(p) for p in sim["lesions_per_patient_probs"]),
        float(sim["untreated_lesion_rate"]),
        float(sim["incomplete_course_rate"]),
        tuple(
            float(markers[k])
            for k in ("nlr_death", "crp_death", "nlr_progression", "crp_progression")
        ),
    )


@lru_cache(maxsize=8)
def _sample(key: tuple) -> _Sample:
    probs, untreated_rate, incomplete_rate, markers = key
    names = ("nlr_death", "crp_death", "nlr_progression", "crp_progression")
    rng = np.random.default_rng(CALIBRATION_SEED)
    counts = draw_lesion_counts(rng, CALIBRATION_SIZE, list(probs))
    prognosis = draw_prognosis(rng, CALIBRATION_SIZE, dict(zip(names, markers, strict=True)))
    courses = draw_courses(rng, counts, untreated_rate, incomplete_rate)

    safety = courses.treated_patient
    new_index = np.cumsum(safety) - 1
    treated = courses.treated
    patient = courses.patient[treated]
    lesion_delay = courses.anchor[patient] - courses.start[treated]
    offset = courses.start[treated] - courses.first_start[patient]
    # Column of each treated lesion within its patient, in start order.
    rank = np.arange(len(patient)) - np.searchsorted(patient, patient)
    starts = np.full((int(safety.sum()), int(counts.max())), np.inf)
    starts[new_index[patient], rank] = offset
    return _Sample(
        death_risk=prognosis.death_risk[safety],
        progression_risk=prognosis.progression_risk[safety],
        death_delay=(courses.anchor - courses.first_start)[safety].astype(float),
        lesion_patient=new_index[patient],
        lesion_delay=lesion_delay.astype(float),
        starts=starts,
    )


def _cif(rate: Any, competing: Any, delay: Any, horizon: float) -> np.ndarray:
    """P(T <= horizon and T before D) for T ~ Exp(rate) from 0, D = delay + Exp(competing)."""
    delay = np.minimum(delay, horizon)
    total = rate + competing
    before = -np.expm1(-rate * delay)
    after = np.exp(-rate * delay) * rate / total * -np.expm1(-total * (horizon - delay))
    return before + after


def _any_local_failure(
    local: float, death: np.ndarray, s: _Sample, horizon: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per patient: CIF of the first local failure of any lesion (death competing) and the
    cumulative local hazard, both at `horizon`; hazards are piecewise constant between the
    lesion starts and the start of the death hazard."""
    cuts = np.sort(np.column_stack((s.starts, s.death_delay, np.full(len(death), horizon))), 1)
    cuts = np.minimum(cuts, horizon)
    cif = np.zeros(len(death))
    for j in range(cuts.shape[1] - 1):
        t0, t1 = cuts[:, j], cuts[:, j + 1]
        a = local * (s.starts <= t0[:, None]).sum(axis=1)
        d = death * (s.death_delay <= t0)
        survival = np.exp(
            -local * np.maximum(t0[:, None] - s.starts, 0).sum(axis=1)
            - death * np.maximum(t0 - s.death_delay, 0)
        )
        total = a + d
        share = np.divide(a, total, out=np.zeros_like(a), where=total > 0)
        cif += share * survival * -np.expm1(-total * (t1 - t0))
    cumulative = local * np.maximum(horizon - s.starts, 0).sum(axis=1)
    return cif, cumulative


def _solve(f: Callable[[float], float]) -> float:
    """Root of a monotone function of a hazard per day, bracketing upwards from ~0."""
    low, high = 1e-12, 1e-3
    while np.sign(f(high)) == np.sign(f(low)):
        high *= 10
        if high > 1e6:
            raise ValueError("the simulation target cannot be reached")
    return brentq(f, low, high, xtol=1e-16, rtol=1e-12)


@lru_cache(maxsize=32)
def _calibrate(key: tuple, targets: tuple[float, float, float, float]) -> Hazards:
    lcr, os_, regional, distant = targets
    s = _sample(key)
    h = event_horizon(TARGET_DAYS)
    death = _solve(lambda lam: np.mean(np.exp(-lam * s.death_risk * (h - s.death_delay))) - os_)
    d = death * s.death_risk

    def progression(target: float) -> float:
        def f(lam: float) -> float:
            return np.mean(_cif(lam * s.progression_risk, d, s.death_delay, h)) - target

        return _solve(f)

    d_lesion = d[s.lesion_patient]
    local = _solve(lambda lam: np.mean(_cif(lam, d_lesion, s.lesion_delay, h)) - (1 - lcr))
    return Hazards(local, death, progression(regional), progression(distant))


def _targets(sim: Mapping[str, Any]) -> tuple[float, float, float, float]:
    names = ("true_lcr_2y", "true_os_2y", "true_regional_2y", "true_distant_2y")
    return tuple(float(sim[name]) for name in names)


def hazards(sim: Mapping[str, Any]) -> Hazards:
    """Baseline hazards that make the population truths equal the config's targets (cached)."""
    return _calibrate(_key(sim), _targets(sim))


def event_horizon(days: float) -> int:
    """The last latent time whose event is dated at or before day `days` (dated ceil(t))."""
    return math.floor(days)


@lru_cache(maxsize=32)
def _rates(
    key: tuple, targets: tuple[float, float, float, float], horizon_days: float
) -> tuple[tuple[str, float], ...]:
    hz = _calibrate(key, targets)
    s = _sample(key)
    h = event_horizon(horizon_days)
    d = hz.death * s.death_risk
    p = s.progression_risk
    local_cif, local_cumulative = _any_local_failure(hz.local, d, s, h)
    death_cumulative = d * (h - s.death_delay)
    progression_cumulative = (hz.regional + hz.distant) * p * h
    rates = {
        "lcr_2y": 1 - np.mean(_cif(hz.local, d[s.lesion_patient], s.lesion_delay, h)),
        "lcr_km_2y": math.exp(-hz.local * h),
        "os_2y": np.mean(np.exp(-death_cumulative)),
        "pfs_2y": np.mean(np.exp(-local_cumulative - death_cumulative - progression_cumulative)),
        "local_recurrence_2y": np.mean(local_cif),
        "regional_2y": np.mean(_cif(hz.regional * p, d, s.death_delay, h)),
        "distant_2y": np.mean(_cif(hz.distant * p, d, s.death_delay, h)),
    }
    return tuple((name, float(value)) for name, value in rates.items())


# Efficacy rate key (`efficacy.RATES`) -> key of its population truth at the horizon (named
# with the fixed suffix `Horizon.KEY`).
RATE_TRUTHS = {
    "lcr": "lcr_2y",
    "lcr_bootstrap": "lcr_2y",
    "lcr_km": "lcr_km_2y",
    "local_recurrence": "local_recurrence_2y",
    "regional_recurrence": "regional_2y",
    "distant_metastasis": "distant_2y",
    "pfs": "pfs_2y",
    "os": "os_2y",
}


def true_values(sim: Mapping[str, Any], horizon_days: float = TARGET_DAYS) -> dict[str, float]:
    """Population values of the SAP estimands at the horizon (`horizon_days`, by default two
    years) for this simulation config (cached).

    Rates are over the safety set (per treated lesion for `lcr_2y` and `lcr_km_2y`).
    `lcr_km_2y` is what the Kaplan-Meier sensitivity analysis of LF estimates (deaths
    censored: net local control). The `log_hr_*` are the generative log hazard ratios per SD
    of log2 baseline marker, conditional on the other marker, ECOG and age; a univariable Cox
    model estimates a marginal value that differs from them. `hazard_*_per_year` are the
    calibrated baseline hazards.
    """
    hz = hazards(sim)
    values = dict(_rates(_key(sim), _targets(sim), float(horizon_days)))
    values.update({f"log_hr_{k}": float(v) for k, v in sim["marker_log_hr"].items()})
    for name in ("local", "death", "regional", "distant"):
        values[f"hazard_{name}_per_year"] = getattr(hz, name) * 365.25
    return values


def main(argv: list[str] | None = None) -> None:
    """Print the true values for a config file
    (`python -m sbrtlung.synthetic.truth [config.yaml]`)."""
    from sbrtlung import config

    args = sys.argv[1:] if argv is None else argv
    sim = config.load(args[0] if args else None)["simulation"]
    for name, value in true_values(sim).items():
        print(f"{name:<26} {value:.4f}")


if __name__ == "__main__":
    main()
