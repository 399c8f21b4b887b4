"""Read the folder of raw CSV exports into typed tables, reporting every breach of the contract.

Three layers, each reporting in the `Finding` shape and none stopping the others, so one run
lists everything a data manager has to fix:

1. the folder: each of the nine files present, no other file (hidden dot-files such as
   `.DS_Store` are ignored);
2. the file: UTF-8 (a BOM is accepted), comma-separated, readable CSV quoting, every record
   with as many fields as the header, exactly the columns of the contract. A file that is not
   text, not comma-separated or not parseable CSV stops there and gives no table;
3. the cell: every field is read as text (the `csv` module, so nothing is coerced and the
   record number of every field is known) and parsed by the type its pandera model declares,
   with strict rules (ISO dates only, no decimal comma, no surrounding whitespace, codes
   spelled exactly); then the pandera model runs lazily on the typed frame.

A cell that fails parsing is reported once and becomes missing; the pandera layer does not
report it again. Rows are numbered as in the file (1 = first data record; 0 = the file or
its header) and the typed frames keep that number as their index, so every later rule can
name the row. A record with the wrong number of fields cannot be mapped to columns: it is
reported and is the only kind of row left out of the typed frame. Columns not in the contract
never enter the typed frames (they may hold identifiers).
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from sbrtlung.findings import Finding, row_list, rows_by_value
from sbrtlung.schemas.raw import EXPORTS

# Descriptions of the rules this module applies (the pandera checks are described from their
# own text by `describe_rule`).
RULE_DESCRIPTIONS: dict[str, str] = {
    "missing_file": "one of the nine export files is not in the folder",
    "unknown_file": "a file that is not part of the data contract is in the folder",
    "empty_file": "the file has no header row",
    "encoding": "the file is not UTF-8 text",
    "delimiter": "the file is separated by semicolons instead of commas",
    "csv_syntax": "the CSV quoting is broken, the file cannot be read further",
    "field_count": "a record has a different number of fields than the header",
    "missing_column": "a column of the contract is absent",
    "unknown_column": "a column that is not in the contract (identifiers must never be exported)",
    "duplicate_column": "a column name appears twice in the header",
    "whitespace": "a value has leading or trailing spaces",
    "date_format": "a date that is not a real calendar date written YYYY-MM-DD",
    "integer_format": "an integer column holds something other than digits",
    "number_format": "a numeric column holds something other than a number with a decimal point",
    "code_case": "a code spelled with the wrong letter case",
}

_IDENTIFIER_NOTE = (
    "the column is not in the data contract; identifiers (names, record numbers, phone numbers, "
    "birth dates) do not belong in the exports"
)
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ].*")
_SERIAL_DATE = re.compile(r"\d+(\.\d+)?")
_DMY_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
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
    has; a file that is missing, empty, not text (NUL bytes), not parseable as CSV or
    semicolon-separated has no table.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"not a folder of exports: {folder}")
    findings = folder_findings(sorted(p.name + "/" * p.is_dir() for p in folder.iterdir()))
    tables: dict[str, pd.DataFrame] = {}
    for stem in EXPORTS:
        path = folder / f"{stem}.csv"
        if path.is_file():
            table, file_findings = parse_export(stem, path.read_bytes())
            findings.extend(file_findings)
            if table is not None:
                tables[stem] = table
    return tables, findings


def folder_findings(names: list[str]) -> list[Finding]:
    """Missing and unexpected entries of the export folder (hidden dot-files ignored).

    `names` are the folder's entries, a sub-folder's with a trailing slash, so a folder named
    like an export counts as missing the file.
    """
    expected = {f"{stem}.csv" for stem in EXPORTS}
    findings = [
        Finding("FATAL", name, 0, "", name, "missing_file", "the file is missing from the folder")
        for name in sorted(expected - set(names))
    ]
    for name in sorted(set(names) - expected):
        if name.startswith("."):
            continue
        hint = " (file names are lower-case)" if name.lower() in expected else ""
        message = f"not one of the nine files of the data contract{hint}; remove it"
        findings.append(Finding("FATAL", name, 0, "", name, "unknown_file", message))
    return findings


def parse_export(stem: str, data: bytes) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Typed frame (index = row number) and findings of one export file given as bytes."""
    file = f"{stem}.csv"

    def fatal(row: int, column: str, value: str, rule: str, message: str) -> Finding:
        return Finding("FATAL", file, row, column, value, rule, message)

    if b"\x00" in data:
        message = "the file contains NUL bytes (UTF-16?); re-export it as UTF-8"
        return None, [fatal(0, "", "", "encoding", message)]
    # Undecodable bytes become lone surrogates, so they are found cell by cell below.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    records, findings = _records(text, fatal)
    if findings:
        return None, findings
    if not records:
        return None, [fatal(0, "", "", "empty_file", "the file has no header row")]
    header = records[0]
    if len(header) == 1 and ";" in header[0]:
        message = "the file is semicolon-separated; the exports must be comma-separated"
        return None, [fatal(0, "", _shown(header[0]), "delimiter", message)]

    schema = EXPORTS[stem].to_schema()
    positions, header_findings = _header(header, list(schema.columns), fatal)
    findings.extend(header_findings)

    rows, kept = [], []
    for row, record in enumerate(records[1:], start=1):
        if len(record) == len(header):
            rows.append(row)
            kept.append([record[i] for i in positions.values()])
            continue
        message = (
            "blank line"
            if not record
            else f"the record has {len(record)} fields, the header {len(header)}"
        )
        if any(";" in field for field in record):
            message += "; it contains semicolons, the exports must be comma-separated"
        findings.append(fatal(row, "", str(len(record)), "field_count", message))
    raw = pd.DataFrame(kept, columns=list(positions), index=pd.Index(rows, name="row"), dtype=str)

    typed = {}
    rejected: set[tuple[int, str]] = set()
    for column in positions:
        spec = schema.columns[column]
        dtype, codes = str(spec.dtype), _codes(spec)
        values = []
        for row, cell in raw[column].items():
            try:
                values.append(_parse_cell(cell, dtype, codes))
            except _Reject as reject:
                findings.append(fatal(row, column, _shown(cell), reject.rule, reject.message))
                rejected.add((row, column))
                values.append(None)
        typed[column] = _typed_column(values, dtype, raw.index)
    table = pd.DataFrame(typed, index=raw.index)
    findings.extend(_contract_findings(table, raw, schema, rejected, fatal))
    return table, findings


def _records(text: str, fatal: Callable[..., Finding]) -> tuple[list[list[str]], list[Finding]]:
    """CSV records of the text, or the finding of the record where broken quoting stops it."""
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), strict=True):
            records.append(record)
    except csv.Error as error:
        return records, [fatal(len(records), "", "", "csv_syntax", f"unreadable CSV: {error}")]
    return records, []


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
            near = [c for c in expected if c == name.strip().lower()]
            hint = f" (did you mean '{near[0]}'?)" if near else ""
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
    if _FLOAT.fullmatch(cell) or _COMMA_NUMBER.fullmatch(cell):
        raise _Reject("integer_format", "an integer column: write whole numbers without decimals")
    raise _Reject("integer_format", "not an integer")


def _parse_float(cell: str) -> float:
    if _FLOAT.fullmatch(cell):
        return float(cell)
    if _COMMA_NUMBER.fullmatch(cell):
        message = "a decimal comma (or thousands separator); write numbers with a decimal point"
        raise _Reject("number_format", message)
    raise _Reject("number_format", "not a number")


def _typed_column(values: list[Any], dtype: str, index: pd.Index) -> pd.Series:
    if dtype == "datetime64[ns]":
        return pd.Series(pd.to_datetime(values), index=index, dtype="datetime64[ns]")
    if dtype == "Int64":
        return pd.Series(pd.array(values, dtype="Int64"), index=index)
    if dtype == "float64":
        return pd.Series(
            [float("nan") if v is None else v for v in values], index=index, dtype="float64"
        )
    return pd.Series(values, index=index, dtype=object)


def _contract_findings(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    schema: pa.DataFrameSchema,
    rejected: set[tuple[int, str]],
    fatal: Callable[..., Finding],
) -> list[Finding]:
    """The pandera model run lazily on the typed frame, each failure case as a finding.

    Cells already rejected by parsing are not reported again, and a duplicate key with a
    missing part is left to the missing-value finding of that part.
    """
    schema = _schema_for(schema, list(table.columns))
    try:
        schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    findings = []
    key_cases = cases[cases["check"] == "multiple_fields_uniqueness"]
    if not key_cases.empty:
        findings.extend(_key_findings(table, raw, list(schema.unique), fatal))
    rows_of_value: dict[str, dict[Any, str]] = {}
    for case in cases.drop(key_cases.index).itertuples(index=False):
        row, column = int(case.index), str(case.column)
        if (row, column) in rejected:
            continue
        spec = schema.columns[column]
        if case.check == "field_uniqueness":
            if pd.isna(table.at[row, column]):
                continue
            if column not in rows_of_value:
                rows_of_value[column] = rows_by_value(table[column])
            others = rows_of_value[column][table.at[row, column]]
            rule, message = "unique", f"the value must be unique; it is on rows {others}"
        elif case.check == "not_nullable":
            rule, message = "not_nullable", "a required value is missing"
        else:
            rule, message = _check_text(spec, spec.checks[int(case.check_number)])
        findings.append(fatal(row, column, _shown(raw.at[row, column]), rule, message))
    return findings


def _schema_for(schema: pa.DataFrameSchema, present: list[str]) -> pa.DataFrameSchema:
    """The model's schema restricted to the columns the file has (missing ones are reported)."""
    if len(present) == len(schema.columns):
        return schema
    unique = schema.unique if schema.unique and set(schema.unique) <= set(present) else None
    columns = {name: spec for name, spec in schema.columns.items() if name in present}
    return pa.DataFrameSchema(columns, unique=unique, strict=True)


def _key_findings(
    table: pd.DataFrame, raw: pd.DataFrame, key: list[str], fatal: Callable[..., Finding]
) -> list[Finding]:
    """Every row whose complete key is on another row too (`Config.unique` of the model)."""
    complete = table[key].notna().all(axis=1)
    duplicated = complete & table[key].duplicated(keep=False)
    column = "+".join(key)
    rule = f"unique({', '.join(key)})"
    findings = []
    for _, group in table[duplicated].groupby(key, sort=False):
        for row in group.index:
            value = ", ".join(_shown(raw.at[row, name]) for name in key)
            message = (
                f"the key {column} must identify one row; it is on rows {row_list(group.index)}"
            )
            findings.append(fatal(int(row), column, value, rule, message))
    return sorted(findings, key=lambda finding: finding.row)


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
