"""SAS transport files, version 5 (the format regulators and data repositories take).

pyreadstat writes them but checks only the names: it truncates a label longer than 40
characters and writes a text longer than 200 without a word. So the limits are checked
here first, and a dataset beyond them is refused, never cut. Read the files back with
`read_xpt` (pyreadstat): pandas.read_sas reads a numeric 0 as 5.4e-79.
"""

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyreadstat

from .dataset_json import STAMP
from .metadata import DatasetSpec, ShareError

NAME_MAX, LABEL_MAX, TEXT_MAX = 8, 40, 200
SAS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# pyreadstat stamps the library and member headers with the time of writing (ddMMMyy:hh:mm:ss);
# the stamps are set to this fixed time, so the same data give the same bytes.
_T = dt.datetime.fromisoformat(STAMP)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
SAS_STAMP = f"{_T:%d}{_MONTHS[_T.month - 1]}{_T:%y:%H:%M:%S}".encode()  # not the locale's %b
_STAMP = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")
_OBS = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"


def limit_problems(frame: pd.DataFrame, spec: DatasetSpec) -> list[str]:
    """Every breach of the v5 limits: names (8, a SAS name), labels (40, ASCII) of the
    dataset and its variables, and text values (200 bytes, ASCII)."""
    found = []
    names = [spec.name, *(v.short for v in spec.variables)]
    for name in names:
        if len(name) > NAME_MAX or not SAS_NAME.fullmatch(name):
            found.append(f"{spec.name}: name {name!r} is not a SAS name of at most {NAME_MAX}")
    for owner, label in [(spec.name, spec.label), *((v.short, v.label) for v in spec.variables)]:
        if len(label) > LABEL_MAX or not label.isascii():
            found.append(
                f"{spec.name}: label of {owner} {label!r} is over {LABEL_MAX} or not ASCII"
            )
    for var in spec.variables:
        if var.kind != "text":
            continue
        values = frame[var.short]
        for row, value in values[values.notna()].items():
            if len(value.encode("utf-8")) > TEXT_MAX or not value.isascii():
                found.append(
                    f"{spec.name}, variable {var.short}, row {row + 1}: a value of "
                    f"{len(value)} characters or not ASCII (at most {TEXT_MAX} ASCII)"
                )
                break
    return found


def write_xpt(frame: pd.DataFrame, spec: DatasetSpec, path: str | Path) -> None:
    """Write one shared frame (`metadata.shared_frame`) as an XPT v5 file, or refuse."""
    problems = limit_problems(frame, spec)
    if problems:
        raise ShareError("not within SAS transport v5 limits:\n" + "\n".join(problems))
    text = [v.short for v in spec.variables if v.kind == "text"]
    out = frame.copy()
    out[text] = out[text].fillna("")  # a missing text is blank in SAS
    pyreadstat.write_xport(
        out,
        str(path),
        file_format_version=5,
        table_name=spec.name,
        file_label=spec.label,
        column_labels=[v.label for v in spec.variables],
    )
    content = Path(path).read_bytes()
    head, obs, data = content.partition(_OBS)
    if not obs:
        raise ShareError(f"{spec.name}: {path} has no observation header")
    Path(path).write_bytes(_STAMP.sub(SAS_STAMP, head) + obs + data)


def read_xpt(path: str | Path) -> tuple[pd.DataFrame, object]:
    """An XPT file and its metadata (names, labels, storage widths), read with pyreadstat."""
    return pyreadstat.read_xport(str(path))
