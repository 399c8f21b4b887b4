"""ADTTE-style local failure for the sensitivity analyses of SAP amendment 1.2c.

Each analysis is a `Derivation` of LF declared as data: which patients, which origin, what
happens to a nodule never treated, which failure scans count, on which day a failure is
dated and whether a death competes. `derive` interprets a declaration on one table of
per-nodule facts (`nodule_facts`: the treatment start, the first failure scan and its
confirmation, the last scan, the last controlled scan before the failure, the death), so
that no estimator knows which analysis it is given. The primary derivation reproduces
ADTTE's LF rows exactly (a test holds that).

Choices where the plan is silent: the "last scan" of a nodule without a follow-up scan is its
SBRT start (LF's censoring day); the ascertainment window compares the death with the day
the nodule is censored at in LF; a CT-only failure is judged by the confirmation of the
nodule's first failure scan (a later failure scan with another confirmation does not make it
an event).
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .days import study_day

CONFIRMED = ("pet", "biopsy")  # confirmations that keep a failure an event (1.2c item 5)


@dataclass(frozen=True)
class Derivation:
    """One LF derivation. `population` is an ADSL flag; `origin` the lesion's SBRT start or
    the enrolment day (study day 0); `untreated` a nodule never treated left out or failing
    at its origin; `failure` every first failure scan or only one confirmed by PET or
    biopsy (else censored at that scan); `failure_day` the scan's day or the midpoint,
    rounded down, between the last controlled scan before it (the SBRT start if none) and
    it; `death` a competing event or censored at its day (Kaplan-Meier); a death more than
    `competing_within_days` after the nodule's censoring day does not compete (censored)."""

    analysis: str
    label: str
    population: Literal["SAFFL", "EFFFL", "PPFL", "ENRLFL"] = "SAFFL"
    origin: Literal["lesion_start", "enrollment"] = "lesion_start"
    untreated: Literal["excluded", "failure_at_origin"] = "excluded"
    failure: Literal["any", "pet_or_biopsy"] = "any"
    failure_day: Literal["scan", "interval_midpoint"] = "scan"
    death: Literal["competing", "censored"] = "competing"
    competing_within_days: float | None = None


DERIVATIONS: tuple[Derivation, ...] = (
    Derivation("primary", "Primary: safety set, death competing"),
    Derivation("efficacy_set", "Efficacy set", population="EFFFL"),
    Derivation("per_protocol", "Per-protocol set", population="PPFL"),
    Derivation("kaplan_meier", "Kaplan-Meier, death censored", death="censored"),
    Derivation(
        "all_enrolled",
        "All enrolled, untreated nodules failing at day 0",
        population="ENRLFL",
        origin="enrollment",
        untreated="failure_at_origin",
    ),
    Derivation(
        "ascertainment",
        "Deaths over 6 months after the last scan censored",
        competing_within_days=182.625,
    ),
    Derivation(
        "confirmed_only", "Failures confirmed by PET or biopsy only", failure="pet_or_biopsy"
    ),
    Derivation(
        "interval_midpoint",
        "Failures dated at the interval midpoint",
        failure_day="interval_midpoint",
    ),
)
ANALYSES = tuple(d.analysis for d in DERIVATIONS)


def nodule_facts(
    tables: dict[str, pd.DataFrame], adsl: pd.DataFrame, adles: pd.DataFrame
) -> pd.DataFrame:
    """One row per nodule of ADLES with the study days every derivation needs.

    FAILDY and FAILCONF: the first failure scan and its confirmation (the first row of the
    export on a tie); LASTSCDY: the last scan of any status; LASTCTDY: the last
    `controlled` scan before FAILDY; DTHDY: the patient's death (ADSL).
    """
    enrollment = tables["patients"].set_index("patient_id")["enrollment_date"]
    scans = tables["imaging"].reset_index(drop=True)
    scans = pd.DataFrame(
        {
            "USUBJID": scans["patient_id"],
            "LESID": scans["lesion_id"],
            "DAY": study_day(scans["assessment_date"], scans["patient_id"], enrollment),
            "STATUS": scans["local_status"],
            "CONF": scans["confirmation"],
            "ROW": np.arange(len(scans)),
        }
    )
    key = ["USUBJID", "LESID"]
    facts = adles[[*key, "TRTFL", "STARTDY"]].merge(
        adsl[["USUBJID", "DTHFL", "DTHDY"]], on="USUBJID", how="left", validate="many_to_one"
    )
    failures = scans[scans["STATUS"] == "failure"].sort_values([*key, "DAY", "ROW"])
    first = failures.drop_duplicates(key)[[*key, "DAY", "CONF"]]
    facts = facts.merge(
        first.rename(columns={"DAY": "FAILDY", "CONF": "FAILCONF"}), on=key, how="left"
    )
    last = scans.groupby(key)["DAY"].max().rename("LASTSCDY").reset_index()
    facts = facts.merge(last, on=key, how="left")
    controlled = scans[scans["STATUS"] == "controlled"].merge(facts[[*key, "FAILDY"]], on=key)
    before = controlled[controlled["DAY"] < controlled["FAILDY"]]
    last_controlled = before.groupby(key)["DAY"].max().rename("LASTCTDY").reset_index()
    facts = facts.merge(last_controlled, on=key, how="left")
    facts["DTHDY"] = facts["DTHDY"].where(facts["DTHFL"].fillna(False).astype(bool))
    return facts.drop(columns="DTHFL").sort_values(key, kind="stable").reset_index(drop=True)


def derive(derivation: Derivation, facts: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """The ADTTE-style LF rows of one derivation: ANALYSIS, USUBJID, LESID, STARTDY (origin),
    ADY, AVAL = ADY - STARTDY, EVNT (0 censored, 1 local failure, 2 competing death), CNSR
    and EVNTDESC."""
    d = derivation
    members = adsl.loc[adsl[d.population].astype(bool), "USUBJID"]
    rows = facts[facts["USUBJID"].isin(members)]
    if d.untreated == "excluded":
        rows = rows[rows["TRTFL"]]
    rows = rows.reset_index(drop=True)
    treated = rows["TRTFL"].to_numpy(bool)
    start = rows["STARTDY"].astype("float64").to_numpy()
    origin = np.zeros(len(rows)) if d.origin == "enrollment" else start
    censor = np.fmax(rows["LASTSCDY"].astype("float64").to_numpy(), start)
    fail = rows["FAILDY"].astype("float64").to_numpy()
    scanned_failure = ~np.isnan(fail)
    failed = scanned_failure.copy()
    confirmed = rows["FAILCONF"].isin(CONFIRMED).to_numpy()
    if d.failure == "pet_or_biopsy":
        censor = np.where(failed & ~confirmed, fail, censor)
        failed &= confirmed
    if d.failure_day == "interval_midpoint":
        previous = np.fmax(rows["LASTCTDY"].astype("float64").to_numpy(), start)
        fail = np.floor((previous + fail) / 2)
    death = rows["DTHDY"].astype("float64").to_numpy()
    dead = ~np.isnan(death) & ~scanned_failure  # a censored CT-only failure does not compete
    if d.competing_within_days is not None:
        dead &= death - censor <= d.competing_within_days
    evnt = np.select([failed, dead], [1, 2], 0)
    day = np.select([failed, dead], [fail, death], censor)
    desc = np.select(
        [failed, dead, scanned_failure],
        ["local failure", "death without local failure (competing)", "failure by CT only"],
        "last follow-up scan or SBRT start",
    ).astype(object)
    if d.death == "censored":
        desc = np.where(evnt == 2, "death (censored)", desc)
        evnt = np.where(evnt == 2, 0, evnt)
    untreated = ~treated
    evnt, day = np.where(untreated, 1, evnt), np.where(untreated, origin, day)
    desc = np.where(untreated, "never treated (failure at the origin)", desc)
    out = pd.DataFrame(
        {
            "ANALYSIS": d.analysis,
            "USUBJID": rows["USUBJID"],
            "LESID": rows["LESID"],
            "STARTDY": origin.astype("int64"),
            "ADY": day.astype("int64"),
        }
    )
    out["AVAL"] = out["ADY"] - out["STARTDY"]
    out["EVNT"] = evnt.astype("int64")
    out["CNSR"] = (out["EVNT"] != 1).astype("int64")
    out["EVNTDESC"] = desc.astype(str)
    return out


def derive_all(
    tables: dict[str, pd.DataFrame], adsl: pd.DataFrame, adles: pd.DataFrame
) -> pd.DataFrame:
    """Every derivation of `DERIVATIONS`, stacked in their order (ADTTESA)."""
    facts = nodule_facts(tables, adsl, adles)
    return pd.concat([derive(d, facts, adsl) for d in DERIVATIONS], ignore_index=True)
