"""Continuous toxicity monitoring at a data cut (SAP 1.2g): who is evaluable, who had the
event, and where the trial stands against the boundary of `monitoring.boundary`.

Evaluable: a safety-set patient with at least `window_days` of follow-up after the last SBRT
end (TRTEDT), or with a grade >= 3 treatment-related AE with onset within `window_days` of
TRTEDT; the event is such an AE. Choices where the plan is silent, each conservative:

- Follow-up is the last day the patient is known alive (the death day, or the last contact;
  ADSL LSTALVDY), not the data cut: a patient whose forms have not come in is not evaluable
  yet. A patient who died within the window without the event is not evaluable.
- An AE that starts before TRTEDT (during the course) is within the window.
- The order in which patients become evaluable is the day each did (the event's onset, or
  TRTEDT + window_days), counted back from the data cut so that no calendar date is needed;
  patients on the same day go in patient order. `crossed` is true when the number of events
  reached the boundary at any point of that sequence (continuous monitoring would have
  signalled then), even if later evaluable patients have taken it below the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .boundary import Boundary, operating, pocock_boundary


@dataclass(frozen=True)
class Sequence:
    """The evaluable patients in the order they became evaluable, with the cumulative events."""

    patients: pd.DataFrame  # USUBJID, DAYS_BEFORE_CUT, EVENT, N, EVENTS, BOUNDARY

    @property
    def crossed(self) -> bool:
        return bool((self.patients["EVENTS"] >= self.patients["BOUNDARY"]).any())


def evaluable_patients(adsl: pd.DataFrame, adae: pd.DataFrame, window_days: float) -> pd.DataFrame:
    """One row per evaluable safety-set patient: USUBJID, EVENT (bool) and DAYS_BEFORE_CUT,
    the days between becoming evaluable and the data cut, in the order they became so."""
    saf = adsl[adsl["SAFFL"]].set_index("USUBJID")
    toxic = adae[adae["TRAEFL"] & (adae["AETOXGR"] >= 3) & (adae["ONSETEND"] <= window_days)]
    event_day = toxic.groupby("USUBJID")["ASTDY"].min().reindex(saf.index)
    window_end = saf["TRTEDY"].astype(float) + window_days
    followed = (saf["LSTALVDY"] - saf["TRTEDY"]).astype(float) >= window_days
    event = event_day.notna()
    day = event_day.astype(float).where(event, window_end)
    frame = pd.DataFrame(
        {
            "USUBJID": saf.index,
            "EVENT": event.to_numpy(),
            "DAYS_BEFORE_CUT": (saf["DCUTDY"].astype(float) - day).to_numpy(),
        }
    )[(event | followed).to_numpy()]
    frame = frame.sort_values(
        ["DAYS_BEFORE_CUT", "USUBJID"], ascending=[False, True], kind="stable"
    )
    return frame.reset_index(drop=True)


def sequence(evaluable: pd.DataFrame, boundary: Boundary) -> Sequence:
    """The cumulative events after each evaluable patient, with that n's boundary."""
    out = evaluable.copy()
    out["N"] = np.arange(1, len(out) + 1)
    out["EVENTS"] = out["EVENT"].cumsum().astype(int)
    out["BOUNDARY"] = [boundary.at(n) for n in out["N"]]
    return Sequence(out)


@dataclass(frozen=True)
class Monitoring:
    """What the monitoring rule writes: the boundary, the status, the sequence for the figure."""

    boundary: Boundary
    table: pd.DataFrame
    status: dict
    sequence: Sequence


def monitor(adsl: pd.DataFrame, adae: pd.DataFrame, settings: dict, planned: int) -> Monitoring:
    """The boundary for `planned` patients from `settings` (the config's `monitoring` block)
    and the status of the trial at its data cut."""
    boundary = pocock_boundary(planned, settings["toxicity_p0"], settings["alpha"])
    at_p0 = operating(boundary.bounds, settings["toxicity_p0"])
    at_p1 = operating(boundary.bounds, settings["toxicity_p1"])
    path = sequence(evaluable_patients(adsl, adae, settings["window_days"]), boundary)
    n = len(path.patients)
    status = {
        "evaluable": n,
        "events": int(path.patients["EVENT"].sum()),
        "boundary": boundary.at(n) if n else None,
        "crossed": path.crossed,
        "nominal_level": boundary.nominal_level,
        "p_cross_p0": at_p0.p_cross,
        "p_cross_p1": at_p1.p_cross,
        "expected_n_p0": at_p0.expected_n,
        "expected_n_p1": at_p1.expected_n,
    }
    table = pd.DataFrame({"n": np.arange(1, planned + 1), "boundary": boundary.bounds})
    return Monitoring(boundary, table, status, path)
