"""Where a finding of the gate is in REDCap: record, instrument, instance and field.

The gate reports on the nine exports that `split` wrote (file, row, column). The row map of the
split gives each row's record, instrument and instance; the eCRF gives each column's field.
Each finding gets these four as columns of the findings table and, for the readers of the
report and the error summary, as a sentence at the end of its message.
"""

from pathlib import Path

import pandas as pd

from sbrtlung.redcap.ecrf import by_name, field_name
from sbrtlung.redcap.records import ROW_MAP
from sbrtlung.schemas.raw import EXPORTS

COLUMNS = ["redcap_record", "redcap_instrument", "redcap_instance", "redcap_field"]


def read_row_map(path: str | Path) -> pd.DataFrame:
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    return rows.astype({"row": "int64"})[list(ROW_MAP)]


def annotate(findings: pd.DataFrame, row_map: pd.DataFrame) -> pd.DataFrame:
    """The findings with their REDCap location added (same rows, same order)."""
    where = row_map.rename(
        columns={"record": COLUMNS[0], "instrument": COLUMNS[1], "instance": COLUMNS[2]}
    )
    out = findings.merge(where, on=["file", "row"], how="left", validate="many_to_one")
    out.index = findings.index
    stems = out["file"].str.removesuffix(".csv")
    out[COLUMNS[0]] = out[COLUMNS[0]].fillna("")
    out[COLUMNS[1]] = out[COLUMNS[1]].fillna(stems.where(stems.isin(list(EXPORTS)), ""))
    out[COLUMNS[2]] = out[COLUMNS[2]].fillna("")
    out[COLUMNS[3]] = [_fields(s, c) for s, c in zip(stems, out["column"], strict=True)]
    out["message"] = [
        message + _sentence(*place)
        for message, *place in out[["message", *COLUMNS]].itertuples(False)
    ]
    return out


def located(findings: pd.DataFrame, row_maps: list[str]) -> pd.DataFrame:
    """The findings annotated by the split's row map when the delivery came from REDCap (a
    rule's `redcap_rows` input holds it), else as they are."""
    return annotate(findings, read_row_map(row_maps[0])) if row_maps else findings


def _fields(stem: str, column: str) -> str:
    """The field(s) of a column or of a key such as `patient_id+lesion_id`."""
    if stem not in EXPORTS or not column:
        return ""
    known = EXPORTS[stem].to_schema().columns
    return "+".join(field_name(stem, c) if c in known else "" for c in column.split("+"))


def _sentence(record: str, instrument: str, instance: str, field: str) -> str:
    parts = [f"record {record}"] if record else []
    if instrument:
        parts.append(f"instrument {instrument}" + (f" instance {instance}" if instance else ""))
    if field:
        forms = {by_name()[f].form for f in field.split("+") if f in by_name()}
        elsewhere = sorted(forms - {instrument})
        parts.append(f"field {field}" + (f" (on {', '.join(elsewhere)})" if elsewhere else ""))
    return f" [REDCap: {', '.join(parts)}]" if parts else ""
