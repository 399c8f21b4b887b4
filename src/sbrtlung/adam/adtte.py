"""ADTTE: one row per endpoint and analysed unit (SAF patients, or their treated lesions).

AVAL is in days from the origin (event or censoring study day minus origin study day, no
+1); EVNT is 0 censored, 1 event, 2 competing death; CNSR = 1 - (EVNT == 1) for the
Kaplan-Meier analyses. Each row names the source record (file, column, row) of its date.
"""

import numpy as np
import pandas as pd

from .days import study_day
from .endpoints import ENDPOINTS, LESION_START, RECORDS, TREATMENT_START, Endpoint, Source

RECORD_COLUMNS = ["USUBJID", "LESID", "KIND", "DY", "SRCDOM", "SRCVAR", "SRCSEQ"]


def dated_records(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every dated record an endpoint may use, as study days, tagged with its KIND and source.

    The kinds are declared in `endpoints.RECORDS`; TRTSTART, the first SBRT start of the
    patient, is the earliest LESSTART. Row numbers (SRCSEQ) count from 1 in the file as
    exported (the gate keeps that order).
    """
    enrollment = tables["patients"].set_index("patient_id")["enrollment_date"]
    parts = []
    for record in RECORDS:
        frame = tables[record.file].reset_index(drop=True)
        rows = frame[record.where(frame).fillna(False).astype(bool)]
        parts.append(
            pd.DataFrame(
                {
                    "USUBJID": rows["patient_id"],
                    "LESID": rows["lesion_id"] if record.per_lesion else None,
                    "KIND": record.kind,
                    "DY": study_day(rows[record.date], rows["patient_id"], enrollment),
                    "SRCDOM": record.file,
                    "SRCVAR": record.date,
                    "SRCSEQ": rows.index + 1,
                }
            )
        )
    records = pd.concat(parts, ignore_index=True)
    first_start = (
        records[records["KIND"] == LESION_START.kind]
        .sort_values(["USUBJID", "DY", "SRCSEQ"], kind="stable")
        .drop_duplicates("USUBJID")
        .assign(KIND=TREATMENT_START.kind, LESID=None)
    )
    records = pd.concat([first_start, records], ignore_index=True)[RECORD_COLUMNS]
    return records.astype({"DY": "int64", "SRCSEQ": "int64"})


def _pick(
    records: pd.DataFrame,
    units: pd.DataFrame,
    keys: list[str],
    sources: tuple[Source, ...],
    latest: bool,
) -> pd.DataFrame:
    """Per unit, the earliest (or latest) record of the sources; ties go to the first source."""
    kinds = [s.kind for s in sources]
    chosen = records[records["KIND"].isin(kinds)].assign(
        ORDER=lambda f: f["KIND"].map({k: i for i, k in enumerate(kinds)}),
        EVNTDESC=lambda f: f["KIND"].map({s.kind: s.description for s in sources}),
    )
    if "LESID" in keys:
        own = chosen[chosen["LESID"].notna()].merge(units, on=keys)
        shared = chosen[chosen["LESID"].isna()].drop(columns="LESID").merge(units, on="USUBJID")
        chosen = pd.concat([own, shared], ignore_index=True)
    else:
        chosen = chosen.drop(columns="LESID").merge(units, on="USUBJID")
    chosen = chosen.sort_values(
        [*keys, "DY", "ORDER", "SRCSEQ"],
        ascending=[*[True] * len(keys), not latest, True, True],
        kind="stable",
    )
    return chosen.drop_duplicates(keys).set_index(keys)


def derive_endpoint(
    records: pd.DataFrame, units: pd.DataFrame, endpoint: Endpoint, month_days: float
) -> pd.DataFrame:
    """Interpret one endpoint definition: event, else competing event, else censoring."""
    keys = list(units.columns)
    index = pd.MultiIndex.from_frame(units) if len(keys) > 1 else pd.Index(units[keys[0]])
    origin = _pick(records, units, keys, (endpoint.origin,), latest=False).reindex(index)
    event = _pick(records, units, keys, endpoint.events, latest=False).reindex(index)
    competing = _pick(records, units, keys, endpoint.competing, latest=False).reindex(index)
    censor = _pick(records, units, keys, endpoint.censors, latest=True).reindex(index)
    evnt = np.where(event["DY"].notna(), 1, np.where(competing["DY"].notna(), 2, 0))

    def chosen(column: str) -> np.ndarray:
        return np.select([evnt == 1, evnt == 2], [event[column], competing[column]], censor[column])

    out = units.reset_index(drop=True).copy()
    if "LESID" not in out:
        out["LESID"] = None
    out["PARAMCD"] = endpoint.paramcd
    out["PARAM"] = endpoint.param
    out["STARTDY"] = origin["DY"].astype("int64").to_numpy()
    out["ADY"] = chosen("DY").astype("int64")
    out["AVAL"] = out["ADY"] - out["STARTDY"]
    out["AVALM"] = out["AVAL"] / month_days
    out["EVNT"] = evnt.astype("int64")
    out["CNSR"] = (evnt != 1).astype("int64")
    for column in ("EVNTDESC", "SRCDOM", "SRCVAR"):
        out[column] = chosen(column)
    out["SRCSEQ"] = chosen("SRCSEQ").astype("int64")
    return out


def derive_adtte(
    tables: dict[str, pd.DataFrame], adsl: pd.DataFrame, adles: pd.DataFrame, month_days: float
) -> pd.DataFrame:
    """All endpoints of SAP 3 for the safety set: patients, or their treated lesions for LF."""
    records = dated_records(tables)
    patients = adsl.loc[adsl["SAFFL"], ["USUBJID"]].reset_index(drop=True)
    lesions = adles.loc[adles["TRTFL"], ["USUBJID", "LESID"]].reset_index(drop=True)
    frames = [
        derive_endpoint(records, lesions if e.level == "lesion" else patients, e, month_days)
        for e in ENDPOINTS
    ]
    return pd.concat(frames, ignore_index=True)
