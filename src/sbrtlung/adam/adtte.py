"""ADTTE: one row per endpoint and analysed unit (SAF patients, or their treated lesions).

AVAL is in days from the origin (event or censoring study day minus origin study day, no
+1); EVNT is 0 censored, 1 event, 2 competing death; CNSR = 1 - (EVNT == 1) for the
Kaplan-Meier analyses. Each row names the source record (file, column, row) of its date.

The origins are ADaM's: ADSL.TRTSDY of each safety-set patient and ADLES.STARTDY of each
treated lesion (`endpoints`), each traced to its course in the SBRT export. The endpoint
definitions of `endpoints.ENDPOINTS` are interpreted on parallel numpy arrays
(`DatedRecords`): for each role of an endpoint (origin, events, competing events,
censoring) one sort of the candidate records picks each unit's record. The same
interpretation serves the ADTTE dataset and the simulation study's arrays
(`endpoint_arrays`), which need the times and statuses of thousands of trials.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sbrtlung.schemas.vocabulary import treated as treats

from .days import study_days
from .endpoints import (
    ENDPOINTS,
    LESION_START,
    RECORDS,
    START_SOURCE,
    TREATMENT_START,
    Endpoint,
    Source,
)

_NONE = -1  # code of "no lesion" (a patient-level record) and of "no record" (nothing picked)
# Every KIND of record, as integer codes: the two treatment starts, then endpoints.RECORDS.
KINDS: tuple[str, ...] = (TREATMENT_START.kind, LESION_START.kind, *(r.kind for r in RECORDS))
# The file and column of each `source` code: the treatment starts', then each record's.
_FILES = np.array([START_SOURCE[0], *(r.file for r in RECORDS)], dtype=object)
_COLUMNS = np.array([START_SOURCE[1], *(r.date for r in RECORDS)], dtype=object)
# The exports `endpoint_arrays` reads: the enrollment dates, the courses and the records.
EXPORTS_READ: tuple[str, ...] = tuple(
    sorted({"patients", START_SOURCE[0], *(r.file for r in RECORDS)})
)


@dataclass(frozen=True)
class DatedRecords:
    """Every dated record an endpoint may use, one array element per record.

    `patient` codes index `patients` (sorted ids), `lesion` codes index `lesions` (sorted
    ids; -1 for a patient-level record); `kind` indexes `KINDS`; `day` is the study day;
    `source` indexes `_FILES` and `_COLUMNS`; `seq` is the row in the file as exported,
    from 1.
    """

    patients: np.ndarray
    lesions: np.ndarray
    patient: np.ndarray
    lesion: np.ndarray
    kind: np.ndarray
    day: np.ndarray
    source: np.ndarray
    seq: np.ndarray


@dataclass(frozen=True)
class _Part:
    """The records of one kind, before their ids are coded."""

    kind: str
    patient: np.ndarray
    lesion: np.ndarray
    day: np.ndarray
    source: int
    seq: np.ndarray


def _course_rows(sbrt: pd.DataFrame, treated: pd.DataFrame) -> np.ndarray:
    """Row number (from 1) in the SBRT export of each treated lesion's course."""
    courses = pd.MultiIndex.from_frame(sbrt[["patient_id", "lesion_id"]])
    rows = courses.get_indexer(pd.MultiIndex.from_frame(treated[["USUBJID", "LESID"]]))
    if (rows < 0).any():
        raise ValueError("a treated lesion of ADLES has no course in the SBRT export")
    return rows + 1


def _starts(sbrt: pd.DataFrame, saf: pd.DataFrame, treated: pd.DataFrame) -> list[_Part]:
    """TRTSTART of each SAF patient on ADSL.TRTSDY, traced to the first row of the SBRT
    export among the patient's treated courses that started that day; LESSTART of each
    treated lesion on ADLES.STARTDY, traced to its course."""
    lesions = _Part(
        LESION_START.kind,
        treated["USUBJID"].to_numpy(object),
        treated["LESID"].to_numpy(object),
        treated["STARTDY"].to_numpy("int64"),
        0,
        _course_rows(sbrt, treated),
    )
    frame = pd.DataFrame({"patient": lesions.patient, "day": lesions.day, "seq": lesions.seq})
    first = frame.groupby(["patient", "day"])["seq"].min()
    patients, days = saf["USUBJID"].to_numpy(object), saf["TRTSDY"].to_numpy("int64")
    seq = first.reindex(pd.MultiIndex.from_arrays([patients, days]))
    if seq.isna().any():
        raise ValueError("ADSL.TRTSDY is not the SBRT start of a treated lesion of ADLES")
    first_start = _Part(
        TREATMENT_START.kind,
        patients,
        np.full(patients.shape, None, object),
        days,
        0,
        seq.to_numpy("int64"),
    )
    return [first_start, lesions]


def _exported(tables: dict[str, pd.DataFrame], enrollment: pd.Series) -> list[_Part]:
    """The records of `endpoints.RECORDS`, dated in study days (one conversion for all); a
    row number (SEQ) counts from 1 in the file as exported (the gate keeps that order)."""
    rows, patients, lesions, dates = [], [], [], []
    for record in RECORDS:
        frame = tables[record.file]
        keep = np.flatnonzero(record.where(frame).fillna(False).to_numpy(bool))
        rows.append(keep)
        patients.append(frame["patient_id"].to_numpy(object)[keep])
        lesion = frame["lesion_id"].to_numpy(object)[keep] if record.per_lesion else None
        lesions.append(np.full(keep.size, None, object) if lesion is None else lesion)
        dates.append(frame[record.date].to_numpy("datetime64[D]")[keep])
    days = study_days(np.concatenate(dates), np.concatenate(patients), enrollment)
    days = np.split(days, np.cumsum([keep.size for keep in rows])[:-1])
    return [
        _Part(record.kind, patients[i], lesions[i], days[i], i + 1, rows[i] + 1)
        for i, record in enumerate(RECORDS)
    ]


def _course_starts(sbrt: pd.DataFrame, enrollment: pd.Series) -> list[_Part]:
    """The treatment starts from the SBRT export alone, for `endpoint_arrays`: LESSTART of
    each course that treated its lesion (`vocabulary.treated`) and TRTSTART, the earliest of
    a patient's (the first row on a tie), as ADLES and ADSL define them; tests check that
    both give the same arrays."""
    delivered = sbrt["fractions_delivered"].to_numpy(float, na_value=np.nan)
    keep = np.flatnonzero(treats(delivered))  # a missing count is no treatment
    patient = sbrt["patient_id"].to_numpy(object)[keep]
    dates = sbrt["start_date"].to_numpy("datetime64[D]")[keep]
    day = study_days(dates, patient, enrollment)
    lesion = sbrt["lesion_id"].to_numpy(object)[keep]
    lesions = _Part(LESION_START.kind, patient, lesion, day, 0, keep + 1)
    ids = patient.astype(str)
    order = np.lexsort((lesions.seq, day, ids))
    first = order[_first_of_runs(ids[order])]
    first_start = _Part(
        TREATMENT_START.kind,
        patient[first],
        np.full(first.shape, None, object),
        day[first],
        0,
        lesions.seq[first],
    )
    return [first_start, lesions]


def dated_records(
    tables: dict[str, pd.DataFrame],
    saf: pd.DataFrame | None = None,
    treated: pd.DataFrame | None = None,
) -> DatedRecords:
    """Every record kind of `KINDS`, in study days, from the validated exports `tables`.

    The treatment starts come from `saf`, USUBJID and TRTSDY of the safety-set patients
    (ADSL), and `treated`, USUBJID, LESID and STARTDY of their treated lesions (ADLES,
    TRTFL); without them, from the SBRT export (`_course_starts`).
    """
    sbrt = tables[START_SOURCE[0]]
    enrolled = tables["patients"]
    enrollment = pd.Series(enrolled["enrollment_date"].to_numpy(), enrolled["patient_id"])
    if saf is None or treated is None:
        starts = _course_starts(sbrt, enrollment)
    else:
        starts = _starts(sbrt, saf, treated)
    parts = starts + _exported(tables, enrollment)
    patients, patient = np.unique(np.concatenate([p.patient for p in parts]), return_inverse=True)
    lesion_ids = np.concatenate([p.lesion for p in parts])
    has_lesion = pd.notna(lesion_ids)
    lesions, codes = np.unique(lesion_ids[has_lesion].astype(str), return_inverse=True)
    lesion = np.full(lesion_ids.shape, _NONE)
    lesion[has_lesion] = codes
    sizes = [len(p.day) for p in parts]
    return DatedRecords(
        patients=patients,
        lesions=lesions,
        patient=patient,
        lesion=lesion,
        kind=np.repeat([KINDS.index(p.kind) for p in parts], sizes),
        day=np.concatenate([p.day for p in parts]),
        source=np.repeat([p.source for p in parts], sizes),
        seq=np.concatenate([p.seq for p in parts]),
    )


def _first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a new key starts in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


@dataclass(frozen=True)
class Units:
    """The analysed units of an endpoint: patient codes, and lesion codes at lesion level."""

    patient: np.ndarray
    lesion: np.ndarray | None = None


def _code(values: Iterable, table: np.ndarray) -> np.ndarray:
    """Codes of ids in a sorted id table; -1 for an id the table does not hold."""
    values = np.asarray(list(values), dtype=object).astype(str)
    if table.size == 0:
        return np.full(values.shape, _NONE)
    position = np.minimum(np.searchsorted(table.astype(str), values), table.size - 1)
    return np.where(table.astype(str)[position] == values, position, _NONE)


def _candidates(records: DatedRecords, units: Units, chosen: np.ndarray):
    """(unit, record) pairs of the chosen records: a patient-level record belongs to every
    unit of its patient, a lesion-level one to its own lesion's unit (or, at patient level,
    to its patient)."""
    n_units = len(units.patient)
    if units.lesion is None:
        lookup = np.full(len(records.patients) + 1, _NONE)
        lookup[units.patient] = np.arange(n_units)
        unit = lookup[records.patient[chosen]]
        keep = unit != _NONE
        return unit[keep], chosen[keep]
    width = len(records.lesions) + 1
    unit_key = units.patient * width + units.lesion
    by_key = np.argsort(unit_key, kind="stable")
    own = chosen[records.lesion[chosen] != _NONE]
    key = records.patient[own] * width + records.lesion[own]
    position = np.minimum(np.searchsorted(unit_key[by_key], key), max(n_units - 1, 0))
    matched = unit_key[by_key][position] == key if n_units else np.zeros(key.shape, bool)
    own_unit, own = by_key[position[matched]], own[matched]
    shared = chosen[records.lesion[chosen] == _NONE]
    by_patient = np.argsort(units.patient, kind="stable")
    sorted_patient = units.patient[by_patient]
    lo = np.searchsorted(sorted_patient, records.patient[shared], side="left")
    hi = np.searchsorted(sorted_patient, records.patient[shared], side="right")
    counts = hi - lo
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    shared_unit = by_patient[np.repeat(lo, counts) + within]
    return np.r_[own_unit, shared_unit], np.r_[own, np.repeat(shared, counts)]


def _pick(
    records: DatedRecords, units: Units, sources: tuple[Source, ...], latest: bool
) -> np.ndarray:
    """Per unit, the index of the earliest (or latest) record of the sources, -1 if none.

    Ties on the day go to the first source, then to the first row of the file.
    """
    rank_of_kind = np.full(len(KINDS), len(sources))
    rank_of_kind[[KINDS.index(s.kind) for s in sources]] = np.arange(len(sources))
    chosen = np.flatnonzero(rank_of_kind[records.kind] < len(sources))
    unit, record = _candidates(records, units, chosen)
    rank = rank_of_kind[records.kind[record]]
    day = records.day[record]
    order = np.lexsort((records.seq[record], rank, -day if latest else day, unit))
    unit, record = unit[order], record[order]
    first = _first_of_runs(unit) if unit.size else np.array([], dtype=np.int64)
    picked = np.full(len(units.patient), _NONE)
    picked[unit[first]] = record[first]
    return picked


class Picker:
    """Picks the records of one set of units. Endpoints share origins and censoring sources
    (every patient-level endpoint starts at TRTSTART), so each pick is made once."""

    def __init__(self, records: DatedRecords, units: Units) -> None:
        self.records, self.units = records, units
        self._picked: dict[tuple, np.ndarray] = {}

    def pick(self, sources: tuple[Source, ...], latest: bool) -> np.ndarray:
        """`_pick` of these sources, computed on first use."""
        key = (tuple(s.kind for s in sources), latest)
        if key not in self._picked:
            self._picked[key] = _pick(self.records, self.units, sources, latest)
        return self._picked[key]


@dataclass(frozen=True)
class Outcome:
    """One endpoint's result per unit: record indices of origin and outcome, EVNT, and the
    description of the source each outcome record came from."""

    origin: np.ndarray
    record: np.ndarray
    evnt: np.ndarray
    description: np.ndarray


def _descriptions(records: DatedRecords, index: np.ndarray, sources: tuple[Source, ...]):
    by_kind = np.full(len(KINDS), None, dtype=object)
    by_kind[[KINDS.index(s.kind) for s in sources]] = [s.description for s in sources]
    return by_kind[records.kind[index]]


def outcome(picker: Picker, endpoint: Endpoint) -> Outcome:
    """Interpret one endpoint definition: event, else competing event, else censoring."""
    records = picker.records
    origin = picker.pick((endpoint.origin,), latest=False)
    event = picker.pick(endpoint.events, latest=False)
    competing = picker.pick(endpoint.competing, latest=False)
    censor = picker.pick(endpoint.censors, latest=True)
    evnt = np.where(event != _NONE, 1, np.where(competing != _NONE, 2, 0)).astype(np.int64)
    record = np.select([evnt == 1, evnt == 2], [event, competing], censor)
    if (origin == _NONE).any() or (record == _NONE).any():
        raise ValueError(f"{endpoint.paramcd}: a unit has no origin or no censoring record")
    description = np.select(
        [evnt == 1, evnt == 2],
        [
            _descriptions(records, event, endpoint.events),
            _descriptions(records, competing, endpoint.competing),
        ],
        _descriptions(records, censor, endpoint.censors),
    )
    return Outcome(origin, record, evnt, description)


def derive_endpoint(
    picker: Picker, units: pd.DataFrame, endpoint: Endpoint, month_days: float
) -> pd.DataFrame:
    """The ADTTE rows of one endpoint for its units (USUBJID, and LESID at lesion level), the
    units the picker was made for."""
    records = picker.records
    result = outcome(picker, endpoint)
    out = units.reset_index(drop=True).copy()
    if "LESID" not in out:
        out["LESID"] = None
    out["PARAMCD"] = endpoint.paramcd
    out["PARAM"] = endpoint.param
    out["STARTDY"] = records.day[result.origin]
    out["ADY"] = records.day[result.record]
    out["AVAL"] = out["ADY"] - out["STARTDY"]
    out["AVALM"] = out["AVAL"] / month_days
    out["EVNT"] = result.evnt
    out["CNSR"] = (result.evnt != 1).astype("int64")
    out["EVNTDESC"] = result.description
    source = records.source[result.record]
    out["SRCDOM"] = _FILES[source]
    out["SRCVAR"] = _COLUMNS[source]
    out["SRCSEQ"] = records.seq[result.record].astype("int64")
    return out


def _units(saf: pd.DataFrame, treated: pd.DataFrame, records: DatedRecords) -> dict[str, Units]:
    """The units of each level as codes: the SAF patients, and their treated lesions."""
    return {
        "patient": Units(_code(saf["USUBJID"], records.patients)),
        "lesion": Units(
            _code(treated["USUBJID"], records.patients), _code(treated["LESID"], records.lesions)
        ),
    }


def derive_adtte(
    tables: dict[str, pd.DataFrame], adsl: pd.DataFrame, adles: pd.DataFrame, month_days: float
) -> pd.DataFrame:
    """All endpoints of SAP 3 for the safety set: patients (ADSL.SAFFL), from their first SBRT
    start (ADSL.TRTSDY), or their treated lesions (ADLES.TRTFL) for LF, from the lesion's
    start (ADLES.STARTDY). `tables` gives the other dated records and the source rows."""
    saf = adsl.loc[adsl["SAFFL"], ["USUBJID", "TRTSDY"]].reset_index(drop=True)
    treated = adles.loc[adles["TRTFL"], ["USUBJID", "LESID", "STARTDY"]].reset_index(drop=True)
    records = dated_records(tables, saf, treated)
    pickers = {level: Picker(records, u) for level, u in _units(saf, treated, records).items()}
    units = {"patient": saf[["USUBJID"]], "lesion": treated[["USUBJID", "LESID"]]}
    frames = [derive_endpoint(pickers[e.level], units[e.level], e, month_days) for e in ENDPOINTS]
    return pd.concat(frames, ignore_index=True)


def endpoint_arrays(
    tables: dict[str, pd.DataFrame], paramcds: Iterable[str]
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(AVAL, EVNT, patient code) of each endpoint for the safety set, sorted by patient and
    lesion: the rows `efficacy.endpoint_data` selects from ADTTE for the SAF population,
    from the exports of `EXPORTS_READ` alone, without the analysis datasets (the simulation
    study's path).

    The treatment starts are those of `_course_starts`: the safety set is every patient with
    a treated course, its units every treated lesion.
    """
    records = dated_records(tables)
    start = records.kind == KINDS.index(TREATMENT_START.kind)
    lesion_start = records.kind == KINDS.index(LESION_START.kind)
    width = len(records.lesions) + 1
    keys = np.unique(records.patient[lesion_start] * width + records.lesion[lesion_start])
    pickers = {
        "patient": Picker(records, Units(np.unique(records.patient[start]))),
        "lesion": Picker(records, Units(keys // width, keys % width)),
    }
    arrays = {}
    for endpoint in ENDPOINTS:
        if endpoint.paramcd in paramcds:
            picker = pickers[endpoint.level]
            result = outcome(picker, endpoint)
            aval = records.day[result.record] - records.day[result.origin]
            arrays[endpoint.paramcd] = (aval, result.evnt, picker.units.patient)
    return arrays
