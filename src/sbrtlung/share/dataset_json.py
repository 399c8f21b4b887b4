"""CDISC Dataset-JSON 1.1: the same datasets as the XPT files, as JSON.

Each column carries the itemOID of its ItemDef in define.xml; missing values are null. The
standard requires a creation time: it is the fixed `STAMP`, not the time of the build, so
that the same data give the same bytes (README of the package).
"""

import json
import math
from importlib.metadata import version

import pandas as pd

from .metadata import DatasetSpec, digits, text_length

VERSION = "1.1.0"
STAMP = "1980-01-01T00:00:00"  # the earliest time a zip entry can carry; see the README
_TYPES = {"text": "string", "integer": "integer", "float": "double"}


def item_oid(spec: DatasetSpec, short: str) -> str:
    return f"IT.{spec.name}.{short}"


def variable_length(frame: pd.DataFrame, spec: DatasetSpec, short: str) -> int:
    """Length of a shared variable: bytes of the longest text, or digits of a number."""
    var = next(v for v in spec.variables if v.short == short)
    if var.kind == "text":
        return text_length(frame[short])
    return digits(frame[short])[0]


def _cell(value, kind: str):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "integer":
        return int(value)
    return float(value) if kind == "float" else value


def dataset_json(frame: pd.DataFrame, spec: DatasetSpec, studyid: str, originator: str) -> dict:
    """The Dataset-JSON 1.1 document of one shared frame."""
    keys = {short: rank for rank, short in enumerate(spec.keys, start=1)}
    columns = []
    for var in spec.variables:
        column = {
            "itemOID": item_oid(spec, var.short),
            "name": var.short,
            "label": var.label,
            "dataType": _TYPES[var.kind],
            "length": variable_length(frame, spec, var.short),
        }
        if var.short in keys:
            column["keySequence"] = keys[var.short]
        columns.append(column)
    kinds = [v.kind for v in spec.variables]
    rows = [
        [_cell(value, kind) for value, kind in zip(row, kinds, strict=True)]
        for row in frame.itertuples(index=False, name=None)
    ]
    return {
        "datasetJSONCreationDateTime": STAMP,
        "datasetJSONVersion": VERSION,
        "fileOID": f"{studyid}.{spec.name}",
        "originator": originator,
        "sourceSystem": {"name": "sbrtlung", "version": version("sbrtlung")},
        "studyOID": studyid,
        "metaDataVersionOID": "MDV.1",
        "metaDataRef": "define.xml",
        "itemGroupOID": f"IG.{spec.name}",
        "records": len(rows),
        "name": spec.name,
        "label": spec.label,
        "columns": columns,
        "rows": rows,
    }


def dumps(document: dict) -> bytes:
    """The document as UTF-8 JSON, one row per line (diffable), numbers exact."""
    head = {k: v for k, v in document.items() if k != "rows"}
    text = json.dumps(head, ensure_ascii=False, allow_nan=False, indent=1)
    rows = ",\n".join(json.dumps(r, ensure_ascii=False, allow_nan=False) for r in document["rows"])
    return (text[:-2] + f',\n "rows": [\n{rows}\n ]\n}}\n').encode("utf-8")
