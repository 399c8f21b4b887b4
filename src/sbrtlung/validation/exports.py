"""Read the folder of raw CSV exports into typed tables, reporting every breach of the contract.

Three layers, each reporting in the `Finding` shape and none stopping the others, so one run
lists everything a data manager has to fix:

1. the folder: each of the nine files present as a readable regular file, no other file
   (hidden dot-files such as `.DS_Store` are ignored);
2. the file: UTF-8 (a BOM is accepted), comma-separated, readable CSV quoting, every record
   with as many fields as the header, exactly the columns of the contract. A file that is not
   text, not comma-separated (tabs, semicolons, pipes, a trailing delimiter) or not parseable
   CSV stops there and gives no table: that one finding is the root cause of everything else;
3. the cell: every field is read as text (the `csv` module, so nothing is coerced and the
   record number of every field is known) and parsed by the type its pandera model declares,
   with strict rules (ISO dates only, an empty field for a missing value, no decimal comma,
   thousands separator or scientific notation, finite numbers, no surrounding whitespace,
   codes spelled exactly), each refusal saying how to write the value; then the pandera
   model runs lazily on the typed frame.

A cell that fails parsing is reported once and becomes missing; the pandera layer does not
report it again. Rows are numbered as in the file (1 = first data record; 0 = the file or
its header) and the typed frames keep that number as their index, so every later rule can
name the row. A record with the wrong number of fields cannot be mapped to columns: it is
reported and is the only kind of row left out of the typed frame. Columns not in the contract
never enter the typed frames (they may hold identifiers).
"""

import copy
import csv
import datetime as dt
import decimal
import io
import math
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.findings import Finding, group_row_lists, rows_by_value
from sbrtlung.validation.formulas import FORMULA_MESSAGE, FORMULA_START, formula_like

# Descriptions of the rules this module applies (the pandera checks are described from their
# own text by `describe_rule`).
RULE_DESCRIPTIONS: dict[str, str] = {
    "missing_file": "one of the nine export files is not in the folder",
    "unknown_file": "a file that is not part of the data contract is in the folder",
    "not_a_file": "an export that is not a regular file (a folder, a broken link, a device)",
    "unreadable": "an export that cannot be read (permissions, a link loop)",
    "empty_file": "the file has no header row",
    "encoding": "the file is not UTF-8 text",
    "delimiter": "the file is not comma-separated (tabs, semicolons, pipes, trailing delimiter)",
    "csv_syntax": "the CSV quoting is broken, the file cannot be read further",
    "field_count": "a record has a different number of fields than the header",
    "missing_column": "a column of the contract is absent",
    "unknown_column": "a column that is not in the contract (identifiers must never be exported)",
    "duplicate_column": "a column name appears twice in the header",
    "whitespace": "a value has leading or trailing spaces",
    "missing_marker": "a missing value written as text (NA, NULL, ., ...) instead of left empty",
    "date_format": "a date that is not a real calendar date written YYYY-MM-DD",
    "integer_format": "an integer column holds something other than digits",
    "number_format": "a numeric column holds something other than a number with a decimal point",
    "non_finite": "a number too large to be finite (it reads as infinity)",
    "code_case": "a code spelled with the wrong letter case",
    "formula": "a value that starts like a spreadsheet formula (=, +, -, @)",
}

_IDENTIFIER_NOTE = (
    "the column is not in the data contract; identifiers (names, record numbers, phone numbers, "
    "birth dates) do not belong in the exports"
)
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)"
_SCIENTIFIC = re.compile(_NUMBER + r"[eE][+-]?\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}([,' \u00a0\u202f]\d{3})+(\.\d+)?")  # 1,234.5 1 234
_DOT_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(\.\d{3})+,\d+")  # 1.234,5
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+")
_QUALIFIED = re.compile(r"(<=?|>=?|\u2264|\u2265)\s*" + _NUMBER)  # <0.5, a quantification limit
_PERCENT = re.compile(_NUMBER + r"\s*%")
_WITH_UNIT = re.compile(_NUMBER + r"\s*[^\d\s.,+-].*")
# What spreadsheets and EDC systems write for a missing value (compared case-insensitively).
MISSING_MARKERS = frozenset({"na", "n/a", "#n/a", "null", "nan", "none", "nil", ".", "-", "--"})
_DELIMITERS = {"\t": "tab", ";": "semicolon", "|": "pipe"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ].*")
_SERIAL_DATE = re.compile(r"\d+(\.\d+)?")
_DMY_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_BOM = "\ufeff"
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)
_MAX_INT_DIGITS = 18  # anything longer cannot be an int64
_YEARS = (1678, 2261)  # the whole years a datetime64[ns] can hold


class _Reject(ValueError):
    """A cell that cannot be parsed: carries the rule id and a message for the data manager."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def read_exports(folder: str | Path) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    """Typed table of every export that could be read, and every finding of the three layers.

    A table is returned for each file whose header could be read, with the contract columns it
    has; a file that is missing, not a readable regular file, empty, not text (NUL bytes), not
    parseable as CSV or not comma-separated has no table.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"not a folder of exports: {folder}")
    entries = {path.name: path for path in folder.iterdir()}
    findings = folder_findings(entries)
    tables: dict[str, pd.DataFrame] = {}
    for stem in EXPORTS:
        name = f"{stem}.csv"
        if name not in entries:
            continue
        data, problem = _read_file(entries[name])
        if problem is not None:
            findings.append(Finding("FATAL", name, 0, "", name, *problem))
            continue
        table, file_findings = parse_export(stem, data)
        findings.extend(file_findings)
        if table is not None:
            tables[stem] = table
    return tables, findings


def folder_findings(entries: dict[str, Path]) -> list[Finding]:
    """Missing and unexpected entries of the export folder (hidden dot-files ignored).

    `entries` maps each name in the folder to its path; an export present under its name but
    not a readable file is reported when it is read (`not_a_file`, `unreadable`).
    """
    expected = {f"{stem}.csv" for stem in EXPORTS}
    findings = [
        Finding("FATAL", name, 0, "", name, "missing_file", "the file is missing from the folder")
        for name in sorted(expected - set(entries))
    ]
    for name in sorted(set(entries) - expected):
        if name.startswith("."):
            continue
        hint = " (file names are lower-case)" if name.lower() in expected else ""
        message = f"not one of the nine files of the data contract{hint}; remove it"
        shown = name + "/" * entries[name].is_dir()
        findings.append(Finding("FATAL", shown, 0, "", shown, "unknown_file", message))
    return findings


def _read_file(path: Path) -> tuple[bytes, tuple[str, str] | None]:
    """The bytes of an export, or the rule and message saying why it is not a readable file.

    Nothing but a regular file is opened (a named pipe would block the gate forever); a
    symbolic link to a regular file is read as that file.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        target = os.readlink(path) if path.is_symlink() else ""
        return b"", ("not_a_file", f"a symbolic link to {target}, which does not exist")
    except OSError as error:
        return b"", ("unreadable", f"the file cannot be read: {error.strerror}")
    if stat.S_ISDIR(mode):
        return b"", ("not_a_file", "a folder, not a file; put the CSV file itself here")
    if not stat.S_ISREG(mode):
        return b"", ("not_a_file", "not a regular file (a pipe, socket or device)")
    try:
        return path.read_bytes(), None
    except OSError as error:
        return b"", ("unreadable", f"the file cannot be read: {error.strerror}")


def parse_export(stem: str, data: bytes) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Typed frame (index = row number) and findings of one export file given as bytes."""
    file = f"{stem}.csv"

    def fatal(row: int, column: str, value: str, rule: str, message: str) -> Finding:
        return Finding("FATAL", file, row, column, value, rule, message)

    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        message = (
            f"the file contains NUL bytes, the first on line {line} (UTF-16, or a damaged "
            "copy?); re-export it as UTF-8"
        )
        return None, [fatal(max(line - 1, 0), "", "", "encoding", message)]
    # Undecodable bytes become lone surrogates, so they are found cell by cell below.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix(_BOM)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return None, [_csv_syntax(0, error, fatal, reader.line_num)]
    if not header:
        message = "the file has no header row" + (
            "" if header is None else " (its first line is blank)"
        )
        return None, [fatal(0, "", "", "empty_file", message)]
    delimiter = _delimiter(header)
    if delimiter is not None:
        return None, [fatal(0, "", _shown(delimiter[0]), "delimiter", delimiter[1])]

    schema = EXPORTS[stem].to_schema()
    positions, findings = _header(header, list(schema.columns), fatal)
    types = {name: str(spec.dtype) for name, spec in schema.columns.items()}
    columns = [(name, types.get(name, "")) for name in header]

    # The fields of the contract columns, column by column; equal texts share one string, so
    # a million-row export holds little more than its distinct values.
    rows: list[int] = []
    cells: dict[str, list[str]] = {name: [] for name in positions}
    seen: dict[str, dict[str, str]] = {name: {} for name in positions}
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            if len(record) != len(header):
                message = _field_count_message(record, columns)
                findings.append(fatal(row, "", str(len(record)), "field_count", message))
                continue
            rows.append(row)
            for name, position in positions.items():
                field = record[position]
                cells[name].append(seen[name].setdefault(field, field))
    except csv.Error as error:
        return None, [_csv_syntax(row + 1, error, fatal, reader.line_num)]
    del seen, text
    raw = pd.DataFrame(
        cells, index=pd.Index(rows, name="row"), columns=list(positions), dtype=object
    )

    typed = {}
    rejected: set[tuple[int, str]] = set()
    for column in positions:
        spec = schema.columns[column]
        dtype, codes = str(spec.dtype), _codes(spec)
        values, unusual = _typed_column(raw[column], dtype, codes)
        for row, cell in raw[column][unusual].items():
            try:
                values.at[row] = _parse_cell(cell, dtype, codes)
            except _Reject as reject:
                findings.append(fatal(row, column, _shown(cell), reject.rule, reject.message))
                rejected.add((row, column))
                values.at[row] = None
        typed[column] = values
    table = pd.DataFrame(typed, index=raw.index)
    findings.extend(_contract_findings(table, raw, schema, rejected, fatal))
    return table, findings


def _csv_syntax(row: int, error: csv.Error, fatal: Callable[..., Finding], line: int) -> Finding:
    """The record where broken quoting (or a cell beyond the `csv` module's field size limit)
    stops the reading of the file, with the line it was on."""
    if "field larger than field limit" in str(error):
        message = (
            f"a cell of record {row} (line {line}) is longer than {csv.field_size_limit():,} "
            "characters: an unclosed quote, or text pasted into a field; correct it"
        )
    else:
        message = f"unreadable CSV on line {line}: {error}"
    return fatal(row, "", "", "csv_syntax", message)


def _delimiter(header: list[str]) -> tuple[str, str] | None:
    """The header text and the message when the file is not separated by single commas."""
    if len(header) == 1:
        found = {name: header[0].count(char) for char, name in _DELIMITERS.items()}
        name, count = max(found.items(), key=lambda item: item[1])
        if count:
            shown = header[0].replace("\t", "\\t")
            message = f"the file is {name}-separated; the exports must be comma-separated"
            return shown, message
    elif header[-1] == "" and all(header[:-1]):
        message = (
            "every line ends with a comma (a trailing delimiter), which adds an empty column; "
            "export the file without it"
        )
        return ",".join(header), message
    return None


def _field_count_message(record: list[str], columns: list[tuple[str, str]]) -> str:
    """Why a record has the wrong number of fields, with the likely cause when it shows.

    `columns` are the header's names with the type the contract gives each ("" if none).
    """
    if not record:
        return "blank line"
    message = f"the record has {len(record)} fields, the header {len(columns)}"
    if any(";" in field for field in record):
        return message + "; it contains semicolons, the exports must be comma-separated"
    split = _split_numbers(record, columns)
    if split:
        numbers = ", ".join(f"{name} '{value}'" for name, value in split)
        message += (
            f"; an unquoted decimal comma splits a number into two fields ({numbers}); "
            "write numbers with a decimal point"
        )
    return message


def _split_numbers(record: list[str], columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(column, number) of each number an unquoted decimal comma split, when joining the
    pieces makes the record fit the header; else nothing.

    Fields are joined left to right wherever a decimal column would get two digit runs; the
    joins count only if they account for every extra field.
    """
    extra = len(record) - len(columns)
    joined: list[tuple[str, str]] = []
    position, index = 0, 0
    while index < len(record) and extra > 0 and position < len(columns):
        name, dtype = columns[position]
        pair = record[index : index + 2]
        if dtype == "float64" and len(pair) == 2 and _INT.fullmatch(pair[0]) and pair[1].isdigit():
            joined.append((name, ",".join(pair)))
            index, extra = index + 2, extra - 1
        else:
            index += 1
        position += 1
    return joined if extra == 0 else []


def _header(
    header: list[str], expected: list[str], fatal: Callable[..., Finding]
) -> tuple[dict[str, int], list[Finding]]:
    """Position of each contract column in the header, and the header's findings."""
    positions: dict[str, int] = {}
    findings = []
    for position, name in enumerate(header):
        if _has_bad_bytes(name):
            message = "the column name is not valid UTF-8"
            findings.append(fatal(0, _shown(name), _shown(name), "encoding", message))
        elif name in positions:
            message = "the column appears twice in the header"
            findings.append(fatal(0, name, name, "duplicate_column", message))
        elif name in expected:
            positions[name] = position
        else:
            near = [c for c in expected if c == name.strip().lstrip(_BOM).lower()]
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            if name.startswith(_BOM):
                hint += "; the file starts with a second byte-order mark: save it once as UTF-8"
            findings.append(fatal(0, name, name, "unknown_column", _IDENTIFIER_NOTE + hint))
    for name in expected:
        if name not in positions:
            message = "a column of the data contract is missing from the header"
            findings.append(fatal(0, name, "", "missing_column", message))
    order = [name for name in expected if name in positions]
    return {name: positions[name] for name in order}, findings


def _codes(spec: pa.Column) -> tuple[str, ...]:
    """The code list of a column with an `isin` check, else empty."""
    for check in spec.checks:
        if check.name == "isin":
            return tuple(check.statistics["allowed_values"])
    return ()


def _parse_cell(cell: str, dtype: str, codes: tuple[str, ...]) -> Any:
    """The typed value of one field (None if empty), or `_Reject` saying why it is not valid."""
    if _has_bad_bytes(cell):
        raise _Reject("encoding", "not valid UTF-8; re-export the file as UTF-8")
    if cell == "":
        return None
    if cell != cell.strip():
        raise _Reject("whitespace", "leading or trailing whitespace around the value")
    if cell.lower() in MISSING_MARKERS:
        raise _Reject("missing_marker", "a missing value is an empty field; leave it empty")
    if formula_like(cell):
        raise _Reject("formula", FORMULA_MESSAGE)
    if dtype == "datetime64[ns]":
        return _parse_date(cell)
    if dtype == "Int64":
        return _parse_int(cell)
    if dtype == "float64":
        return _parse_float(cell)
    if codes and cell not in codes:
        same = [code for code in codes if code.lower() == cell.lower()]
        if same:
            message = f"matches the code '{same[0]}' except for letter case; write it exactly"
            raise _Reject("code_case", message)
    return cell


def _parse_date(cell: str) -> pd.Timestamp:
    if _ISO_DATE.fullmatch(cell):
        try:
            date = dt.date.fromisoformat(cell)
        except ValueError:
            raise _Reject("date_format", "not a real calendar date") from None
        if not _YEARS[0] <= date.year <= _YEARS[1]:
            raise _Reject("date_format", f"a year outside {_YEARS[0]}-{_YEARS[1]}")
        return pd.Timestamp(date)
    if _SERIAL_DATE.fullmatch(cell):
        message = "looks like an Excel serial date number; write dates as YYYY-MM-DD"
    elif _DMY_DATE.fullmatch(cell):
        message = "DD/MM/YYYY or MM/DD/YYYY dates are not accepted; write them ISO as YYYY-MM-DD"
    elif _ISO_DATETIME.fullmatch(cell):
        message = "a date with a time part; write the date alone as YYYY-MM-DD"
    else:
        message = "not an ISO date; write dates as YYYY-MM-DD"
    raise _Reject("date_format", message)


def _parse_int(cell: str) -> int:
    if _INT.fullmatch(cell) and len(cell.lstrip("+-")) <= _MAX_INT_DIGITS:
        return int(cell)
    if _INT.fullmatch(cell):
        raise _Reject("integer_format", "too many digits for an integer")
    if _FLOAT.fullmatch(cell):
        raise _Reject("integer_format", "an integer column: write whole numbers without decimals")
    raise _Reject("integer_format", _number_hint(cell) or "not an integer")


def _parse_float(cell: str) -> float:
    if _FLOAT.fullmatch(cell):
        value = float(cell)
        if not math.isfinite(value):
            message = "the number is too large to be finite (it reads as infinity); check it"
            raise _Reject("non_finite", message)
        return value
    raise _Reject("number_format", _number_hint(cell) or "not a number")


def _number_hint(cell: str) -> str | None:
    """How to write a number a spreadsheet or EDC system wrote in another way, if it is one."""
    if _SCIENTIFIC.fullmatch(cell):
        full = format(decimal.Decimal(cell), "f")
        example = f" ({full})" if len(full) <= 30 else ""
        return f"scientific notation, as Excel writes some numbers; write it in full{example}"
    if _DOT_GROUPED_COMMA.fullmatch(cell):
        plain = cell.replace(".", "").replace(",", ".")
        return f"thousands separators and a decimal comma; write {plain}"
    if _GROUPED.fullmatch(cell) and not _COMMA_NUMBER.fullmatch(cell):
        plain = re.sub(r"[,' \u00a0\u202f]", "", cell)
        return f"a thousands separator; write the number without separators ({plain})"
    if _GROUPED.fullmatch(cell):
        return (
            "a comma in a number: a thousands separator or a decimal comma; write it without "
            f"separators and with a decimal point ({cell.replace(',', '')} or "
            f"{cell.replace(',', '.')})"
        )
    if _COMMA_NUMBER.fullmatch(cell):
        return f"a decimal comma; write numbers with a decimal point ({cell.replace(',', '.')})"
    if _QUALIFIED.fullmatch(cell):
        return (
            "a value reported as below or above a limit is not a number; write the value the "
            "data-management plan sets for it, or leave the field empty"
        )
    if _PERCENT.fullmatch(cell):
        return f"write the number without the % sign ({cell.rstrip('% ')})"
    if _WITH_UNIT.fullmatch(cell):
        return "a number with a unit or text; write the number alone"
    return None


def _typed_column(cells: pd.Series, dtype: str, codes: tuple[str, ...]) -> tuple[pd.Series, Any]:
    """The typed column of the cells written plainly (a million at a time), missing elsewhere,
    and the mask of the other cells, which `_parse_cell` judges one by one.

    Plain: empty, or for a date `YYYY-MM-DD` naming a real day, for an integer at most 15
    digits, for a decimal a finite number with a decimal point, for text a value without
    surrounding spaces, undecodable bytes or a missing-value marker (and, for a code column,
    one of the codes). Numbers are converted by Python's own `int` and `float`, like
    `_parse_cell`, so both paths give the same value to the last bit.
    """
    empty = (cells == "").to_numpy()
    if dtype == "datetime64[ns]":
        plain = cells.str.fullmatch(_ISO_DATE.pattern).to_numpy(dtype=bool)
        values = pd.to_datetime(cells.where(plain), format="%Y-%m-%d", errors="coerce")
        return values.astype("datetime64[ns]"), ~empty & values.isna().to_numpy()
    if dtype == "Int64":
        plain = cells.str.fullmatch(r"[+-]?\d{1,15}").to_numpy(dtype=bool)
        numbers = np.where(plain, cells.to_numpy(), "0").astype(np.int64)
        return pd.Series(
            pd.arrays.IntegerArray(numbers, ~plain), index=cells.index
        ), ~empty & ~plain
    if dtype == "float64":
        plain = cells.str.fullmatch(_FLOAT.pattern).to_numpy(dtype=bool)
        numbers = np.where(plain, cells.to_numpy(), "nan").astype(float)
        finite = np.isfinite(numbers)
        values = pd.Series(np.where(finite, numbers, np.nan), index=cells.index, dtype="float64")
        return values, ~empty & ~(plain & finite)
    unusual = (cells != cells.str.strip()) | cells.str.lower().isin(MISSING_MARKERS)
    unusual |= cells.str.startswith(FORMULA_START)
    unusual |= cells.str.contains(_UNDECODABLE.pattern)
    if codes:
        unusual |= ~cells.isin(codes)
    return cells.where(~empty, None).astype(object), ~empty & unusual.to_numpy(dtype=bool)


def _contract_findings(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    schema: pa.DataFrameSchema,
    rejected: set[tuple[int, str]],
    fatal: Callable[..., Finding],
) -> list[Finding]:
    """The pandera model run lazily on the typed frame, each failure case as a finding.

    Cells already rejected by parsing are not reported again, and a duplicate key with a
    missing part is left to the missing-value finding of that part. Uniqueness (of a column,
    and of the model's key) is checked here in one grouping each: pandera's failure cases of
    a million duplicated rows take minutes to build.
    """
    present = list(table.columns)
    findings = []
    for column in present:
        if schema.columns[column].unique:
            findings.extend(_unique_findings(table, raw, column, rejected, fatal))
    if schema.unique and set(schema.unique) <= set(present):
        findings.extend(_key_findings(table, raw, list(schema.unique), fatal))
    try:
        _without_uniqueness(schema, present).validate(table, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return findings
    for case in cases.itertuples(index=False):
        row, column = int(case.index), str(case.column)
        if (row, column) in rejected:
            continue
        spec = schema.columns[column]
        if case.check == "not_nullable":
            rule, message = "not_nullable", "a required value is missing"
        else:
            rule, message = _check_text(spec, spec.checks[int(case.check_number)])
        findings.append(fatal(row, column, _shown(raw.at[row, column]), rule, message))
    return findings


def _without_uniqueness(schema: pa.DataFrameSchema, present: list[str]) -> pa.DataFrameSchema:
    """The model's schema on the columns the file has (missing ones are reported), without
    its uniqueness checks (`_unique_findings`, `_key_findings`)."""
    columns = {}
    for name in present:
        columns[name] = copy.copy(schema.columns[name])
        columns[name].unique = False
    return pa.DataFrameSchema(columns, strict=True)


def _unique_findings(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    column: str,
    rejected: set[tuple[int, str]],
    fatal: Callable[..., Finding],
) -> list[Finding]:
    """Every row whose value of a column that must be unique is on another row too."""
    values = table[column]
    duplicated = values.notna() & values.duplicated(keep=False)
    rows_of = rows_by_value(values[duplicated])
    message = "the value must be unique; it is on rows "
    return [
        fatal(int(row), column, _shown(raw.at[row, column]), "unique", message + rows_of[value])
        for row, value in values[duplicated].items()
        if (row, column) not in rejected
    ]


def _key_findings(
    table: pd.DataFrame, raw: pd.DataFrame, key: list[str], fatal: Callable[..., Finding]
) -> list[Finding]:
    """Every row whose complete key is on another row too (`Config.unique` of the model).

    The rows of one key share their value and message strings: a million duplicated rows
    would otherwise hold a million copies of each.
    """
    complete = table[key].notna().all(axis=1)
    duplicated = complete & table[key].duplicated(keep=False)
    rows = table.index[duplicated].to_numpy()
    if not len(rows):
        return []
    groups = table.loc[duplicated, key].groupby(key, sort=False).ngroup().to_numpy()
    column = "+".join(key)
    rule = f"unique({', '.join(key)})"
    prefix = f"the key {column} must identify one row; it is on rows "
    messages = group_row_lists(rows, groups, prefix)
    first = pd.Series(rows).groupby(groups).first()
    shown = {g: ", ".join(_shown(raw.at[row, name]) for name in key) for g, row in first.items()}
    return [
        fatal(int(row), column, shown[group], rule, message)
        for row, group, message in zip(rows, groups, messages, strict=True)
    ]


def _check_text(spec: pa.Column, check: pa.Check) -> tuple[str, str]:
    """A readable rule text and message for a failed pandera check of a column."""
    stats = check.statistics
    if check.name == "isin":
        codes = list(stats["allowed_values"])
        return f"isin({codes})", "not one of the codes listed in the rule"
    if check.name == "str_matches":
        pattern = stats["pattern"]
        return f"str_matches('{pattern}')", f"does not have the required form {pattern}"
    bounds = {c.name: c.statistics for c in spec.checks}
    low = bounds.get("greater_than_or_equal_to", {}).get("min_value")
    high = bounds.get("less_than_or_equal_to", {}).get("max_value")
    if check.name in ("greater_than_or_equal_to", "less_than_or_equal_to"):
        if low is not None and high is not None:
            return f"in_range({low}, {high})", f"outside the allowed range {low} to {high}"
        if low is not None:
            return f"greater_than_or_equal_to({low})", f"below the minimum {low}"
        return f"less_than_or_equal_to({high})", f"above the maximum {high}"
    return str(check.error or check.name), "the value breaks a check of the data contract"


def describe_rule(rule: str) -> str:
    """Plain-words description of a rule id of this module or of a pandera rule text."""
    if rule in RULE_DESCRIPTIONS:
        return RULE_DESCRIPTIONS[rule]
    prefixes = {
        "isin(": "a value that is not one of the listed codes",
        "str_matches(": "a value that does not have the required form",
        "in_range(": "a value outside its allowed range",
        "greater_than_or_equal_to(": "a value below its minimum",
        "less_than_or_equal_to(": "a value above its maximum",
        "not_nullable": "a required value is missing",
        "unique(": "a key that must identify one row is on several rows",
        "unique": "a value that must be unique is on several rows",
    }
    return next((text for prefix, text in prefixes.items() if rule.startswith(prefix)), rule)


def _has_bad_bytes(text: str) -> bool:
    """Whether the text holds an undecodable byte (a lone surrogate of surrogateescape)."""
    return _UNDECODABLE.search(text) is not None


def _shown(cell: str) -> str:
    """The field as text a report can show: undecodable bytes written as \\xNN escapes."""
    return cell.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
