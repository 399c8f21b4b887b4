"""ADTTE: one row per endpoint and analysed unit (SAF patients, or their treated lesions).

AVAL is in days from the origin (event or censoring study day minus origin study day, no
+1); EVNT is 0 censored, 1 event, 2 competing death; CNSR = 1 - (EVNT == 1) for the
Kaplan-Meier analyses. Each row names the source record (file, column, row) of its date.

The endpoint definitions of `endpoints.ENDPOINTS` are interpreted on parallel numpy arrays
(`DatedRecords`): for each role of an endpoint (origin, events, competing events,
censoring) one sort of the candidate records picks each unit's record. The same
interpretation serves the ADTTE dataset and the simulation study's arrays
(`endpoint_arrays`), which need the times and statuses of thousands of trials.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .endpoints import ENDPOINTS, LESION_START, RECORDS, TREATMENT_START, Endpoint, Source

_NONE = -1  # code of "no lesion" (a patient-level record) and of "no record" (nothing picked)
# Every KIND of record, as integer codes: TRTSTART, then those of endpoints.RECORDS.
KINDS: tuple[str, ...] = (TREATMENT_START.kind, *(r.kind for r in RECORDS))
_FILES = np.array([r.file for r in RECORDS], dtype=object)
_COLUMNS = np.array([r.date for r in RECORDS], dtype=object)


@dataclass(frozen=True)
class DatedRecords:
    """Every dated record an endpoint may use, one array element per record.

    `patient` codes index `patients` (sorted ids), `lesion` codes index `lesions` (sorted
    ids; -1 for a patient-level record); `kind` indexes `KINDS`; `day` is the calendar day
    number; `source` indexes
    `endpoints.RECORDS` (file and column); `seq` is the row in the file as exported, from 1.
    """

    patients: np.ndarray
    lesions: np.ndarray
    patient: np.ndarray
    lesion: np.ndarray
    kind: np.ndarray
    day: np.ndarray
    source: np.ndarray
    seq: np.ndarray

    def take(self, index: np.ndarray) -> "DatedRecords":
        """The records at `index`, with the same id tables."""
        fields = ("patient", "lesion", "kind", "day", "source", "seq")
        picked = {name: getattr(self, name)[index] for name in fields}
        return DatedRecords(self.patients, self.lesions, **picked)


def _days(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy("datetime64[D]").astype(np.int64)


def dated_records(tables: dict[str, pd.DataFrame]) -> DatedRecords:
    """Every record kind of `endpoints.RECORDS`, plus TRTSTART, the patient's first SBRT start
    (the earliest LESSTART, the first row on a tie).

    Row numbers (SEQ) count from 1 in the file as exported (the gate keeps that order).
    """
    patient_ids, lesion_ids, days, rows = [], [], [], []
    for record in RECORDS:
        frame = tables[record.file]
        keep = np.flatnonzero(record.where(frame).fillna(False).to_numpy(bool))
        patient_ids.append(frame["patient_id"].to_numpy(object)[keep])
        lesion = frame["lesion_id"].to_numpy(object)[keep] if record.per_lesion else None
        lesion_ids.append(np.full(keep.size, None, object) if lesion is None else lesion)
        days.append(_days(frame[record.date])[keep])
        rows.append(keep + 1)
    patients, patient = np.unique(np.concatenate(patient_ids), return_inverse=True)
    lesion_ids = np.concatenate(lesion_ids)
    has_lesion = pd.notna(lesion_ids)
    lesions, codes = np.unique(lesion_ids[has_lesion].astype(str), return_inverse=True)
    lesion = np.full(lesion_ids.shape, _NONE)
    lesion[has_lesion] = codes
    sizes = [len(r) for r in rows]
    records = DatedRecords(
        patients=patients,
        lesions=lesions,
        patient=patient,
        lesion=lesion,
        kind=np.repeat([KINDS.index(r.kind) for r in RECORDS], sizes),
        day=np.concatenate(days),
        source=np.repeat(np.arange(len(RECORDS)), sizes),
        seq=np.concatenate(rows),
    )
    starts = np.flatnonzero(records.kind == KINDS.index(LESION_START.kind))
    starts = starts[np.lexsort((records.seq[starts], records.day[starts], records.patient[starts]))]
    first = starts[_first_of_runs(records.patient[starts])]
    treatment = records.take(first)
    treatment = DatedRecords(
        patients,
        lesions,
        treatment.patient,
        np.full(first.shape, _NONE),
        np.full(first.shape, KINDS.index(TREATMENT_START.kind)),
        treatment.day,
        treatment.source,
        treatment.seq,
    )
    return _concat(treatment, records)


def _concat(*parts: DatedRecords) -> DatedRecords:
    fields = ("patient", "lesion", "kind", "day", "source", "seq")
    joined = {name: np.concatenate([getattr(p, name) for p in parts]) for name in fields}
    return DatedRecords(parts[0].patients, parts[0].lesions, **joined)


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
    picker: Picker,
    units: pd.DataFrame,
    endpoint: Endpoint,
    month_days: float,
    enrollment: pd.Series,
) -> pd.DataFrame:
    """The ADTTE rows of one endpoint for its units (USUBJID, and LESID at lesion level), the
    units the picker was made for."""
    records = picker.records
    result = outcome(picker, endpoint)
    origin_day = enrollment.reindex(units["USUBJID"]).to_numpy("datetime64[D]").astype(np.int64)
    out = units.reset_index(drop=True).copy()
    if "LESID" not in out:
        out["LESID"] = None
    out["PARAMCD"] = endpoint.paramcd
    out["PARAM"] = endpoint.param
    out["STARTDY"] = records.day[result.origin] - origin_day
    out["ADY"] = records.day[result.record] - origin_day
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


def derive_adtte(
    tables: dict[str, pd.DataFrame], adsl: pd.DataFrame, adles: pd.DataFrame, month_days: float
) -> pd.DataFrame:
    """All endpoints of SAP 3 for the safety set: patients, or their treated lesions for LF."""
    records = dated_records(tables)
    enrollment = tables["patients"].set_index("patient_id")["enrollment_date"]
    units = {
        "patient": adsl.loc[adsl["SAFFL"], ["USUBJID"]].reset_index(drop=True),
        "lesion": adles.loc[adles["TRTFL"], ["USUBJID", "LESID"]].reset_index(drop=True),
    }
    pickers = {
        "patient": Picker(records, Units(_code(units["patient"]["USUBJID"], records.patients))),
        "lesion": Picker(
            records,
            Units(
                _code(units["lesion"]["USUBJID"], records.patients),
                _code(units["lesion"]["LESID"], records.lesions),
            ),
        ),
    }
    frames = [
        derive_endpoint(pickers[e.level], units[e.level], e, month_days, enrollment)
        for e in ENDPOINTS
    ]
    return pd.concat(frames, ignore_index=True)


def endpoint_arrays(
    tables: dict[str, pd.DataFrame], paramcds: Iterable[str]
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(AVAL, EVNT, patient code) of each endpoint for the safety set, sorted by patient and
    lesion: the rows `efficacy.endpoint_data` selects from ADTTE for the SAF population,
    without building the analysis datasets (the simulation study's path).

    The safety set is every patient with a delivered fraction, its units every treated
    lesion: exactly those with a TRTSTART (LESSTART) record.
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
