"""What the shared files say about each dataset and variable, read from `schemas/adam.py`.

The schema gives the names (and the short names of SAS transport), labels, types, code lists
(`isin`), keys and origins; the data give the lengths. A shared frame has the short names,
STUDYID first, flags as Y/N and every integer as a number SAS can hold (float64).
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sbrtlung.schemas import adam

Kind = Literal["text", "integer", "float"]
FLAG_CODES = ("N", "Y")
_KINDS: dict[str, Kind] = {"str": "text", "bool": "text", "Int64": "integer", "int64": "integer"}
_KINDS |= {"float64": "float"}


class ShareError(ValueError):
    """Data that cannot be shared as they are: the message names dataset, variable, row."""


@dataclass(frozen=True)
class Variable:
    """One variable as the shared files describe it."""

    name: str  # in the parquet dataset (STUDYID: not there)
    short: str  # in the shared files
    label: str
    kind: Kind
    flag: bool
    origin: Literal["collected", "derived", "assigned"]
    source: str | None  # collected: the export column, `file.column`
    derivation: str | None  # derived and assigned: how
    codes: tuple | None  # the code list; None for identifiers and numbers
    mandatory: bool

    @property
    def identifier(self) -> bool:
        """Collected or assigned text without a code list: USUBJID, SITEID, AEID, STUDYID.
        (A derived text without one is a text the program writes: PARAM, EVNTDESC, ...)"""
        return self.kind == "text" and self.codes is None and self.origin != "derived"


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: name, label, structure, key variables (short names) and variables."""

    name: str
    label: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]

    @property
    def file(self) -> str:
        return self.name.lower()


def _codes(column, flag: bool) -> tuple | None:
    if flag:
        return FLAG_CODES
    for check in column.checks:
        if "allowed_values" in (check.statistics or {}):
            return tuple(check.statistics["allowed_values"])
    return None


def _variable(name: str, column) -> Variable:
    kind = _KINDS[str(column.dtype)]
    flag = str(column.dtype) == "bool"
    meta = column.metadata or {}
    return Variable(
        name=name,
        short=meta.get("short", name),
        label=column.title,
        kind=kind,
        flag=flag,
        origin=meta["origin"],
        source=meta.get("source"),
        derivation=column.description if meta["origin"] == "derived" else None,
        codes=_codes(column, flag),
        mandatory=not column.nullable,
    )


STUDYID = Variable(
    name="STUDYID",
    short="STUDYID",
    label=adam.STUDYID["title"],
    kind="text",
    flag=False,
    origin=adam.STUDYID["origin"],
    source=None,
    derivation=adam.STUDYID["description"],
    codes=None,
    mandatory=True,
)


def dataset_spec(name: str) -> DatasetSpec:
    """The spec of one ADaM dataset (`adsl`, ...) from its schema, STUDYID first."""
    schema = adam.DATASETS[name].to_schema()
    variables = (STUDYID, *(_variable(n, c) for n, c in schema.columns.items()))
    short = {v.name: v.short for v in variables}
    keys = schema.unique or [n for n, c in schema.columns.items() if c.unique]
    return DatasetSpec(
        name=name.upper(),
        label=schema.title,
        structure=schema.description,
        keys=("STUDYID", *(short[k] for k in keys)),
        variables=variables,
    )


def shared_frame(frame: pd.DataFrame, spec: DatasetSpec, studyid: str) -> pd.DataFrame:
    """The dataset as it is shared: short names in the spec's order, STUDYID first, flags
    Y/N, numbers as float64 (missing: NaN), text missing as None."""
    out = {}
    for var in spec.variables:
        values = pd.Series(studyid, index=frame.index) if var is STUDYID else frame[var.name]
        if var.flag:
            values = values.map({True: "Y", False: "N"})
        elif var.kind == "text":
            values = values.astype(object).where(values.notna(), None)
        else:
            values = values.astype("Float64").astype("float64")  # pd.NA -> NaN
        out[var.short] = values.reset_index(drop=True)
    return pd.DataFrame(out)


def text_length(values: pd.Series) -> int:
    """Bytes of the longest value (at least 1, as SAS and Define-XML require)."""
    lengths = [len(v.encode("utf-8")) for v in values if v is not None]
    return max([1, *lengths])


def digits(values: pd.Series) -> tuple[int, int]:
    """(Digits, of which decimals) of the longest value in its shortest exact decimal form,
    the Length and SignificantDigits of a number in Define-XML; at least (1, 0)."""
    width, decimals = 1, 0
    for x in values.dropna():
        text = np.format_float_positional(x, unique=True, trim="-").lstrip("-")
        whole, _, fraction = text.partition(".")
        width = max(width, len(whole.lstrip("0") or "0") + len(fraction))
        decimals = max(decimals, len(fraction))
    return width, decimals
