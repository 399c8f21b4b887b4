"""A data delivery of the synthetic trial before its end: what the sites had entered by a cut.

The full trial (`simulate.simulate_trial`) is what happened; a delivery at an earlier cut holds
what had been entered by then. Every form is entered some days after its date (an exponential
lag of mean `simulation.entry_lag_days`, drawn per row from a stream of its own), and a form
appears when its date plus its lag is on or before the cut. Forms depend on each other as the
data contract wants them to: a patient's enrolment form brings the lesions and makes the
screening row name the patient; the SBRT form of a patient appears when the last course has
ended and been entered, and scans, progression events and adverse events only after it; a
death appears once entered, and the grade 5 event with it; an adverse event that had not
ended, or whose end was not entered, is ongoing. The last contact is the latest entered date
of the patient. The same trial at two cuts is two deliveries in which the later one holds the
earlier one's rows (and more), except for the `simulation.corrections` records dated on or
before `corrected_before` that it corrects: an adverse event's grade (1 and 2 swap) or its
attribution, or a lab value (10% higher), as sites correct their forms after queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.synthetic.simulate import simulate_trial

LAG_STREAM = 31
FORMS = tuple(EXPORTS)
CORRECTION_STREAM = 37
NEXT_ATTRIBUTION = {
    "unrelated": "unlikely",
    "unlikely": "unrelated",
    "possible": "probable",
    "probable": "possible",
    "definite": "probable",
}


def _lags(seed: int, stream: int, mean: float, n: int) -> pd.TimedeltaIndex:
    """Entry lags in whole days for the n rows of one form of the full trial, from a stream
    of that form's own, so that a row has the same lag at every cut."""
    rng = np.random.default_rng((seed, LAG_STREAM, stream))
    return pd.to_timedelta(np.floor(rng.exponential(mean, n)), unit="D")


def cut_trial(
    tables: Mapping[str, pd.DataFrame], cut: pd.Timestamp, lag_days: float, seed: int
) -> dict[str, pd.DataFrame]:
    """What had been entered of the full trial `tables` by `cut`."""

    def entered(stem: str, dates: pd.Series, stream: int = 0) -> np.ndarray:
        """Rows of the full table `stem` (aligned with `dates`) entered by the cut."""
        full = tables[stem]
        lag = pd.Series(_lags(seed, 10 * FORMS.index(stem) + stream, lag_days, len(full)))
        lag.index = full.index
        return (dates + lag.reindex(dates.index) <= cut).to_numpy()

    patients = tables["patients"]
    patients = patients[entered("patients", patients["enrollment_date"])]
    known = set(patients["patient_id"])
    screening = tables["screening"].copy()
    enrolled = screening["patient_id"].isin(known).to_numpy()
    screening = screening[enrolled | entered("screening", screening["screening_date"])]
    screening.loc[~screening["patient_id"].isin(known), "patient_id"] = None
    # The SBRT form of a patient: entered once the last course has ended (patients' lags).
    last_end = tables["sbrt"].groupby("patient_id")["end_date"].max()
    by_patient = tables["patients"].set_index("patient_id")
    ends = pd.Series(last_end.reindex(by_patient.index).to_numpy(), index=tables["patients"].index)
    treated_rows = (
        entered("patients", ends, stream=1)
        & tables["patients"]["patient_id"].isin(known).to_numpy()
    )
    treated = set(tables["patients"]["patient_id"][treated_rows])
    follow = tables["follow_up"]
    death = follow["death_date"]
    died = death.notna().to_numpy() & entered("follow_up", death.fillna(cut + pd.Timedelta(days=1)))
    dead = set(follow["patient_id"][died]) & known
    kept = {
        "patients": patients,
        "screening": screening,
        "lesions": tables["lesions"][tables["lesions"]["patient_id"].isin(known)],
        "sbrt": tables["sbrt"][tables["sbrt"]["patient_id"].isin(treated)],
    }
    for stem, column in (
        ("imaging", "assessment_date"),
        ("progression", "event_date"),
        ("adverse_events", "onset_date"),
    ):
        frame = tables[stem]
        kept[stem] = frame[
            frame["patient_id"].isin(treated).to_numpy() & entered(stem, frame[column])
        ]
    labs = tables["labs"]
    form = labs["patient_id"] + "|" + labs["timepoint"]  # one lab form per timepoint
    first = labs.groupby(form)["sample_date"].transform("min")
    kept["labs"] = labs[
        labs["patient_id"].isin(known).to_numpy() & _form_entered(first, form, cut, seed, lag_days)
    ]
    events = kept["adverse_events"]
    events = events[(events["grade"] < 5) | events["patient_id"].isin(dead)].copy()
    end = events["end_date"]
    ended = end.notna().to_numpy() & entered(
        "adverse_events", end.fillna(cut + pd.Timedelta(days=1)), stream=1
    )
    events.loc[~ended, "end_date"] = pd.NaT
    kept["adverse_events"] = events
    contact = follow["last_contact_date"]
    contact_entered = entered("follow_up", contact, stream=1)
    kept["follow_up"] = _follow_up(kept, follow, contact_entered, known, dead)
    return {stem: kept[stem].reset_index(drop=True) for stem in tables}


def _form_entered(first: pd.Series, form: pd.Series, cut, seed: int, lag_days: float) -> np.ndarray:
    """Lab rows whose form (patient and timepoint) was entered: one lag per form, in the
    order of the forms' keys so that it does not depend on the cut."""
    keys = pd.Index(sorted(set(form)))
    lag = pd.Series(_lags(seed, 10 * FORMS.index("labs"), lag_days, len(keys)), index=keys)
    return (first + form.map(lag).to_numpy() <= cut).to_numpy()


def _follow_up(kept, follow, contact_entered, known, dead) -> pd.DataFrame:
    """One row per entered patient: dead as in the full trial once the death is entered,
    else alive at the latest entered date of the patient."""
    dates = [kept["patients"][["patient_id", "enrollment_date"]].set_axis(["id", "d"], axis=1)]
    for stem, column in (
        ("sbrt", "end_date"),
        ("imaging", "assessment_date"),
        ("progression", "event_date"),
        ("adverse_events", "onset_date"),
        ("adverse_events", "end_date"),
        ("labs", "sample_date"),
    ):
        dates.append(kept[stem][["patient_id", column]].set_axis(["id", "d"], axis=1))
    entered = follow[contact_entered & ~follow["vital_status"].eq("dead").to_numpy()]
    dates.append(entered[["patient_id", "last_contact_date"]].set_axis(["id", "d"], axis=1))
    latest = pd.concat(dates).dropna().groupby("id")["d"].max()
    rows = follow.set_index("patient_id").loc[sorted(known)].copy()
    alive = ~rows.index.isin(sorted(dead))
    rows.loc[alive, "last_contact_date"] = latest.reindex(rows.index[alive]).to_numpy()
    rows.loc[alive, "vital_status"] = "alive"
    rows.loc[alive, ["death_date", "cause_of_death"]] = None
    rows["death_date"] = pd.to_datetime(rows["death_date"])
    return rows.reset_index()[list(follow.columns)]


def correct(
    tables: Mapping[str, pd.DataFrame], before: pd.Timestamp, n: int, seed: int
) -> dict[str, pd.DataFrame]:
    """The delivery with `n` records dated on or before `before` corrected (module doc)."""
    rng = np.random.default_rng((seed, CORRECTION_STREAM))
    out = {stem: frame.copy() for stem, frame in tables.items()}
    events, labs = out["adverse_events"], out["labs"]
    early_events = events.index[(events["onset_date"] <= before) & (events["grade"] <= 2)]
    early_labs = labs.index[labs["sample_date"] <= before]
    for k in range(n):
        kind = k % 3
        if kind < 2 and len(early_events):
            row = rng.choice(early_events)
            if kind == 0:
                events.loc[row, "grade"] = 3 - events.loc[row, "grade"]
            else:
                events.loc[row, "attribution"] = NEXT_ATTRIBUTION[events.loc[row, "attribution"]]
        elif len(early_labs):
            row = rng.choice(early_labs)
            labs.loc[row, "value"] = round(labs.loc[row, "value"] * 1.1, 2)
    return out


def delivery(
    sim: Mapping[str, Any], seed: int, cut: str | None, corrected_before: str | None
) -> dict[str, pd.DataFrame]:
    """The synthetic trial as delivered at `cut` (None: the whole trial at its simulated cut),
    with `simulation.corrections` corrections of records dated on or before
    `corrected_before` (None: none)."""
    tables = simulate_trial(sim, seed)
    if cut is None:
        return tables
    tables = cut_trial(tables, pd.Timestamp(cut), sim["entry_lag_days"], seed)
    if corrected_before is None:
        return tables
    return correct(tables, pd.Timestamp(corrected_before), sim["corrections"], seed)
