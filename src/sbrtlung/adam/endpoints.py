"""The time-to-event endpoints of SAP 3, declared as data.

As in admiral's `derive_param_tte`, an endpoint names its origin, its event sources, its
competing-event sources and its censoring sources; `adtte.derive_adtte` interprets them:
the earliest event wins, else the earliest competing event, else the latest censoring date.
Each source is a KIND of dated record, built by `adtte.dated_records`.

The treatment starts come from ADaM, as admiral takes the origin from ADSL: a patient's
first SBRT start (TRTSTART) is ADSL.TRTSDY of a safety-set patient, a lesion's (LESSTART)
ADLES.STARTDY of a treated lesion (TRTFL), so that whether a course treated its lesion and
when treatment began are derived once, in ADLES and ADSL. Both are traced to the course they
come from, the row of `START_SOURCE`. The other records come straight from the exports, as
declared in RECORDS.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Level = Literal["patient", "lesion"]


def _all(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index)


@dataclass(frozen=True)
class Record:
    """A KIND of dated record: the rows of `file` that `where` selects, dated by `date`,
    belonging to a lesion or to the patient."""

    kind: str
    file: str
    date: str
    per_lesion: bool
    where: Callable[[pd.DataFrame], pd.Series] = _all


# The export and column a treatment start is traced to (SRCDOM, SRCVAR).
START_SOURCE = ("sbrt", "start_date")

RECORDS: tuple[Record, ...] = (
    Record("LESSCAN", "imaging", "assessment_date", True),
    Record("LESFAIL", "imaging", "assessment_date", True, lambda f: f["local_status"] == "failure"),
    Record("REGIONAL", "progression", "event_date", False, lambda f: f["site"] == "regional"),
    Record("DISTANT", "progression", "event_date", False, lambda f: f["site"] == "distant"),
    Record("DEATH", "follow_up", "death_date", False, lambda f: f["vital_status"] == "dead"),
    Record("LASTCONTACT", "follow_up", "last_contact_date", False),
)


@dataclass(frozen=True)
class Source:
    kind: str
    description: str


TREATMENT_START = Source("TRTSTART", "first SBRT start (no follow-up scan)")
LESION_START = Source("LESSTART", "SBRT start of the lesion (no follow-up scan)")
LESION_SCAN = Source("LESSCAN", "last follow-up scan")
LAST_CONTACT = Source("LASTCONTACT", "alive at last contact")
LOCAL_FAILURE = Source("LESFAIL", "local failure (first failure scan)")
REGIONAL = Source("REGIONAL", "regional progression")
DISTANT = Source("DISTANT", "distant metastasis")
DEATH = Source("DEATH", "death")
COMPETING_DEATH = Source("DEATH", "death without the event (competing)")


@dataclass(frozen=True)
class Endpoint:
    """A time-to-event endpoint: its ADTTE PARAMCD and PARAM, its sources, and the names the
    reader sees (the one place they are spelled): `label` heads a table row, a figure panel or
    a sentence (through `formatter.in_sentence`), `short` where space is tight, `site` names
    the site of failure of a failure endpoint ("local", "regional", "distant")."""

    paramcd: str
    param: str
    level: Level
    origin: Source
    events: tuple[Source, ...]
    competing: tuple[Source, ...]
    censors: tuple[Source, ...]
    label: str = field(kw_only=True)
    short: str = field(kw_only=True)
    site: str | None = field(default=None, kw_only=True)


_PATIENT_CENSORING = (LESION_SCAN, TREATMENT_START)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "OS",
        "Overall survival",
        "patient",
        TREATMENT_START,
        (DEATH,),
        (),
        (LAST_CONTACT,),
        label="Overall survival",
        short="OS",
    ),
    Endpoint(
        "PFS",
        "Progression-free survival",
        "patient",
        TREATMENT_START,
        (LOCAL_FAILURE, REGIONAL, DISTANT, DEATH),
        (),
        _PATIENT_CENSORING,
        label="Progression-free survival",
        short="PFS",
    ),
    Endpoint(
        "LF",
        "Local failure of the treated lesion",
        "lesion",
        LESION_START,
        (LOCAL_FAILURE,),
        (COMPETING_DEATH,),
        (LESION_SCAN, LESION_START),
        label="Local failure per nodule",
        short="LF",
        site="local",
    ),
    Endpoint(
        "LFPT",
        "Local failure of any lesion of the patient",
        "patient",
        TREATMENT_START,
        (LOCAL_FAILURE,),
        (COMPETING_DEATH,),
        _PATIENT_CENSORING,
        label="Local failure of any nodule",
        short="LF",
        site="local",
    ),
    Endpoint(
        "RR",
        "Regional recurrence",
        "patient",
        TREATMENT_START,
        (REGIONAL,),
        (COMPETING_DEATH,),
        _PATIENT_CENSORING,
        label="Regional recurrence",
        short="RR",
        site="regional",
    ),
    Endpoint(
        "DM",
        "Distant metastasis",
        "patient",
        TREATMENT_START,
        (DISTANT,),
        (COMPETING_DEATH,),
        _PATIENT_CENSORING,
        label="Distant metastasis",
        short="DM",
        site="distant",
    ),
)
BY_PARAMCD: dict[str, Endpoint] = {e.paramcd: e for e in ENDPOINTS}


def label(paramcd: str) -> str:
    """The reader's name of an endpoint ("Progression-free survival")."""
    return BY_PARAMCD[paramcd].label
