"""REDCap's records export and the nine contract exports, in both directions.

REDCap's flat CSV records export (raw codes, variable names as header) has one row per record
for the non-repeating instruments and one row per instance of a repeating instrument, told apart
by `redcap_repeat_instrument` and `redcap_repeat_instance`; each instrument's fields are followed
by its `<form>_complete` status (0 incomplete, 1 unverified, 2 complete).

`split` only restructures: every value reaches the nine exports as text, exactly as REDCap
wrote it (codes REDCap cannot store are mapped back), so the gate judges it like any delivery.
What it refuses is what cannot be restructured faithfully: an export with labels instead of raw
codes, fields the eCRF does not have, repeating data on a record's non-repeating row and the
like. Its row map says, for every row of every export, the REDCap record, instrument and
instance it came from. `export` is the inverse, for tests, demonstrations and migrations.

Row order: screening in record order, every other export by patient ID, then in record and
instance order (the contract defines no order; this one is stable and equals the generator's).
"""

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import astuple
from functools import cache
from pathlib import Path

from sbrtlung.redcap.ecrf import (
    CARRIED,
    RECORD_ID,
    REPEATING,
    RedcapError,
    by_name,
    field_name,
    fields,
    form_fields,
    forms,
)
from sbrtlung.redcap.metadata import check, parse_csv, read_text, separator_hint
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.findings import COLUMNS, MAX_ROWS_LISTED, Finding
from sbrtlung.validation.formulas import formula_like

Table = list[dict[str, str]]
INSTRUMENT, INSTANCE = "redcap_repeat_instrument", "redcap_repeat_instance"
IGNORED = ("redcap_data_access_group",)  # a site's data access group: not contract data
STATUSES = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
ROW_MAP = ("file", "row", "record", "instrument", "instance")
SHOWN = 5  # problems named in one refusal
_INSTANCE = re.compile(r"[0-9]+")  # ASCII digits: str.isdigit() also takes "²" and "٣"


def status(form: str) -> str:
    return f"{form}_complete"


def header() -> list[str]:
    """The columns of the records export, in REDCap's order."""
    columns = [RECORD_ID, INSTRUMENT, INSTANCE]
    for form in forms():
        columns += [*_names(form), status(form)]
    return columns


@cache
def _contract_columns(stem: str) -> tuple[str, ...]:
    return tuple(EXPORTS[stem].to_schema().columns)


def split_files(
    records: str | Path,
    dictionary: str | Path,
    out: str | Path,
    rows: str | Path | None = None,
    notes: str | Path | None = None,
) -> list[Finding]:
    """Check the project's data dictionary, split its records export into the nine exports in
    folder `out`, write the row map to `rows` and the dictionary's WARN findings (labels that
    differ from the eCRF's) to `notes` (if given), and return those findings."""
    warnings = check(dictionary)
    what = f"records export {records}"
    try:
        with open(records, encoding="utf-8-sig", newline="") as lines:
            tables, row_map = split(lines, what)
    except FileNotFoundError:
        raise RedcapError(f"{what}: no such file") from None
    except IsADirectoryError:
        raise RedcapError(f"{what}: a folder, not a file") from None
    except OSError as error:
        raise RedcapError(f"{what}: cannot be read ({error.strerror})") from None
    write_exports(tables, out)
    if rows:
        write_row_map(row_map, rows)
    if notes:
        write_rows([COLUMNS, *(astuple(f) for f in warnings)], notes)
    return warnings


def export_files(raw_dir: str | Path, dictionary: str | Path, out: str | Path) -> None:
    """Check the project's data dictionary and write the records export of the nine exports."""
    check(dictionary)
    write_rows(export(read_exports(raw_dir)), out)


# --- export --------------------------------------------------------------------------------


def read_exports(folder: str | Path) -> dict[str, Table]:
    """The nine exports of a folder as text rows, refused unless each has the contract columns."""
    tables = {}
    for stem in EXPORTS:
        path = Path(folder) / f"{stem}.csv"
        rows = parse_csv(read_text(path, "export"), str(path))
        expected = _contract_columns(stem)
        if not rows or sorted(rows[0]) != sorted(expected):
            raise RedcapError(
                f"{path}: the columns are not the contract's ({', '.join(expected)}); "
                "check the folder with `python -m sbrtlung.validation.gate` first"
            )
        tables[stem] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r]
    return tables


def export(tables: dict[str, Table]) -> list[list[str]]:
    """REDCap records export rows (header first) of the nine exports.

    Refuses what a REDCap record cannot hold: a screening number that is empty or on two rows
    (it is the record name), a row whose patient is on no screening row or on several, two
    patients or follow-up rows of one patient, and an enrolling site other than the screening
    site (the record holds one).
    """
    records: dict[str, dict[str, str]] = {}
    patient_record: dict[str, str] = {}
    for number, r in enumerate(tables["screening"], start=1):
        record = r["screening_id"]
        if not record or record in records:
            raise RedcapError(
                f"screening.csv row {number}: screening_id {record!r} is empty or on another row;"
                " it is the REDCap record name"
            )
        records[record] = _values("screening", r)
        if r["patient_id"]:
            if r["patient_id"] in patient_record:
                raise RedcapError(
                    f"screening.csv row {number}: patient {r['patient_id']} is on two screening "
                    "rows; a patient is one REDCap record"
                )
            patient_record[r["patient_id"]] = record
    instances: dict[str, dict[str, list[dict[str, str]]]] = {r: {} for r in records}
    for stem in EXPORTS:
        if stem == "screening":
            continue
        for number, r in enumerate(tables[stem], start=1):
            record = patient_record.get(r["patient_id"])
            where = f"{stem}.csv row {number}"
            if record is None:
                raise RedcapError(
                    f"{where}: patient {r['patient_id']!r} is on no screening row; every row "
                    "belongs to the REDCap record of a screened patient"
                )
            if stem in REPEATING:
                instances[record].setdefault(stem, []).append(_values(stem, r))
                continue
            base = records[record]
            if status(stem) in base:
                raise RedcapError(f"{where}: a second {stem} row of patient {r['patient_id']}")
            carried = [c for c in _contract_columns(stem) if (stem, c) in CARRIED]
            for column in carried:
                source = CARRIED[(stem, column)]
                if r[column] != records[record].get(field_name(*source), ""):
                    raise RedcapError(
                        f"{where}: {column} {r[column]!r} differs from the screening row's; "
                        "the REDCap record holds it once"
                    )
            base |= _values(stem, r)
    rows = [header()]
    for record, base in records.items():
        base = {RECORD_ID: record} | base
        for form in forms():
            if form not in REPEATING:
                base.setdefault(status(form), "0")  # a form never saved (REDCap's default)
        rows.append([base.get(column, "") for column in rows[0]])
        for form in REPEATING:
            for number, values in enumerate(instances[record].get(form, []), start=1):
                line = values | {RECORD_ID: record, INSTRUMENT: form, INSTANCE: str(number)}
                rows.append([line.get(column, "") for column in rows[0]])
    return rows


def _values(stem: str, row: dict[str, str]) -> dict[str, str]:
    """The field values of one export row, codes as REDCap stores them, status complete."""
    out = {name: to_redcap.get(row[column], row[column]) for name, column, to_redcap in _fill(stem)}
    out[status(stem)] = "2"
    return out


@cache
def _fill(form: str) -> tuple[tuple[str, str, dict[str, str]], ...]:
    """Per field of a form but the record ID: its name, its column, contract -> REDCap codes."""
    return tuple(
        (f.name, f.columns[0][1], {code: redcap for redcap, code in f.codes.items()})
        for f in form_fields(form)
        if f.name != RECORD_ID
    )


# --- split ---------------------------------------------------------------------------------


class _Layout:
    """Where each part of the eCRF is in the columns of one records export."""

    def __init__(self, columns: list[str]):
        at = {c: i for i, c in enumerate(columns)}
        self.width = len(columns)
        self.names = columns
        self.record = at[RECORD_ID]
        # REDCap leaves the repeat columns out when no exported record has repeating data.
        self.instrument, self.instance = at.get(INSTRUMENT), at.get(INSTANCE)
        self.cells = {form: tuple(at[name] for name in _names(form)) for form in forms()}
        self.status = {form: at[status(form)] for form in forms()}
        self.choices = tuple(
            (at[f.name], f.name, frozenset(f.codes), {label: code for code, label in f.choices})
            for f in fields()
            if f.choices
        )

    def filled(self, values: list[str], form: str) -> bool:
        """Whether a row holds data of a form: a field value, or a status other than no data."""
        return any(values[i] for i in self.cells[form]) or values[self.status[form]] in ("1", "2")

    def of(self, values: list[str], form: str) -> tuple[str, ...]:
        return tuple(values[i] for i in self.cells[form])

    def repeat(self, values: list[str]) -> tuple[str, str]:
        """The row's repeating instrument and instance ("" when the columns are absent)."""
        return (
            "" if self.instrument is None else values[self.instrument],
            "" if self.instance is None else values[self.instance],
        )


class _Lines:
    """The lines of an export, keeping the start of the first line of the record being read,
    so that a record the `csv` module cannot read can still be named."""

    def __init__(self, lines: Iterable[str]):
        self.lines = iter(lines)
        self.start = ""
        self.fresh = True

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        if self.fresh:
            self.start, self.fresh = line[:200], False
        return line

    def record(self) -> str:
        """The record name the current record starts with (its first field), as far as known."""
        return self.start.split(",", 1)[0].strip().strip('"')


@cache
def _names(form: str) -> tuple[str, ...]:
    """The fields of a form in a records export row, the record ID left out."""
    return tuple(f.name for f in form_fields(form) if f.name != RECORD_ID)


def split(
    source: str | Iterable[str], what: str = "records export"
) -> tuple[dict[str, list[tuple]], list[tuple]]:
    """The nine exports (rows as tuples in the contract's column order) and the row map of a
    REDCap records export, given as text or as lines (an open file)."""
    lines = _Lines(io.StringIO(source, newline="") if isinstance(source, str) else source)
    reader = csv.reader(lines, strict=True)
    records: dict[str, dict] = {}
    problems, labelled = _Notes(), _Notes()
    try:
        columns = next(reader, None)
        if not columns:
            blank = "" if columns is None else " (its first line is blank)"
            raise RedcapError(f"{what}: empty file, no header{blank}")
        layout = _Layout(_check_header(columns, what))
        lines.fresh = True
        for values in reader:
            line = reader.line_num
            lines.fresh = True
            if not values:
                continue
            if len(values) != layout.width:
                problems.append(f"line {line} has {len(values)} fields, the header {layout.width}")
                continue
            labelled.extend(_labels(values, line, layout))
            if layout.instrument is None:
                _no_repeating_data(values, line, layout, what)
            _place(values, line, layout, records, problems)
    except csv.Error as error:
        raise RedcapError(_unreadable(what, error, reader.line_num, lines.record())) from None
    except UnicodeDecodeError:
        raise RedcapError(f"{what}: not UTF-8 text; export it again as CSV") from None
    for record, entry in records.items():
        if entry["base"] is None:
            problems.append(
                f"record {record}: repeating rows but no row of the record itself (its "
                "screening, patients and follow_up forms); export all instruments of the record"
            )
    if labelled.count:
        raise RedcapError(
            f"{what}: labels instead of raw codes ({labelled}); export the records again as "
            "'CSV / Microsoft Excel (raw data)' (API: rawOrLabel=raw, rawOrLabelHeaders=raw)"
        )
    if problems.count:
        raise RedcapError(f"{what}: {problems}")
    return _tables(records)


def _no_repeating_data(values: list[str], line: int, layout: _Layout, what: str) -> None:
    """Refuse repeating data in an export without the repeat columns: REDCap leaves them out
    only when no record has repeating data, so the instruments are not set up as repeating."""
    found = [form for form in REPEATING if layout.filled(values, form)]
    if found:
        raise RedcapError(
            f"{what}: no {INSTRUMENT} / {INSTANCE} columns, and line {line} (record "
            f"{values[layout.record]}) holds data of {', '.join(found)}; set up "
            f"{', '.join(REPEATING)} as repeating instruments in the project (docs/redcap.md)"
        )


def _unreadable(what: str, error: csv.Error, line: int, record: str) -> str:
    """Where and why the `csv` module stopped reading an export."""
    where = f"line {line}" + (f" (record {record})" if record else "")
    if "field larger than field limit" in str(error):
        return (
            f"{what}: {where}: a cell longer than {csv.field_size_limit():,} characters (an "
            "unclosed quote, or a document pasted into a field); correct it and export again"
        )
    return f"{what}: unreadable CSV at {where} ({error})"


class _Notes:
    """What is wrong with an export: the first few in words, and how many in all."""

    def __init__(self) -> None:
        self.first: list[str] = []
        self.count = 0

    def append(self, note: str) -> None:
        self.count += 1
        if len(self.first) < SHOWN:
            self.first.append(note)

    def extend(self, notes: list[str]) -> None:
        for note in notes:
            self.append(note)

    def __str__(self) -> str:
        more = f"; and {self.count - SHOWN} more" if self.count > SHOWN else ""
        return "; ".join(self.first) + more


def _check_header(columns: list[str], what: str) -> list[str]:
    known = header()
    if RECORD_ID not in columns:
        labels = {f.label for f in fields()}
        if labels & set(columns):
            raise RedcapError(
                f"{what}: the column names are field labels, not variable names; export the "
                "records again as 'CSV / Microsoft Excel (raw data)' (API: rawOrLabelHeaders=raw)"
            )
        hint = separator_hint(columns, RECORD_ID)
        raise RedcapError(
            f"{what}: no {RECORD_ID} column; " + (hint or "not a records export of this eCRF")
        )
    if "redcap_event_name" in columns:
        raise RedcapError(
            f"{what}: from a longitudinal project (redcap_event_name); the eCRF is a classic "
            "project with repeating instruments"
        )
    doubled = sorted(c for c, n in Counter(columns).items() if n > 1)
    unknown = list(dict.fromkeys(c for c in columns if c not in known and c not in IGNORED))
    if doubled or unknown:
        hint = (
            "; export without survey fields"
            if any(c.endswith("_timestamp") or c == "redcap_survey_identifier" for c in unknown)
            else ""
        )
        named = _listed([repr(c)[1:-1] for c in unknown] + [f"{c} (twice)" for c in doubled])
        raise RedcapError(
            f"{what}: fields the data dictionary does not know: {named}{hint}; the eCRF has "
            "only the contract's fields (identifiers never enter the analysis)"
        )
    missing = [c for c in known if c not in columns]
    if (INSTRUMENT in missing) != (INSTANCE in missing):
        raise RedcapError(
            f"{what}: only one of {INSTRUMENT} and {INSTANCE} is in the export; export all "
            "fields again"
        )
    missing = [c for c in missing if c not in (INSTRUMENT, INSTANCE)]
    if missing:
        raise RedcapError(
            f"{what}: fields missing from the export: {_listed(missing)}; export all "
            "instruments and fields"
        )
    return columns


def _listed(items: list[str]) -> str:
    """At most MAX_ROWS_LISTED items, then how many more (a header can have 100,000)."""
    more = len(items) - MAX_ROWS_LISTED
    return ", ".join(items[:MAX_ROWS_LISTED]) + (f" and {more} more" if more > 0 else "")


def _labels(values: list[str], line: int, layout: _Layout) -> list[str]:
    """Cells of one row that hold a label where REDCap writes a raw code."""
    found = []
    instrument, _ = layout.repeat(values)
    if instrument and instrument not in forms() and _form_of_label(instrument):
        found.append(f"line {line} {INSTRUMENT} {instrument!r}")
    for form, at in layout.status.items():
        if values[at] in STATUSES.values():
            found.append(f"line {line} {status(form)} {values[at]!r}")
    for at, name, codes, labels in layout.choices:
        value = values[at]
        if value and value not in codes and value in labels:
            record = values[layout.record]
            found.append(f"record {record} {name} {value!r} (code {labels[value]!r})")
    return found


def _form_of_label(text: str) -> str:
    """The instrument whose display name (REDCap's, from its form name) is `text`, if any."""
    return next((form for form in forms() if form.replace("_", " ") == text.lower()), "")


def _place(
    values: list[str], line: int, layout: _Layout, records: dict[str, dict], problems: _Notes
) -> None:
    """File one row under its record (the values of its forms only), or say why it cannot be."""
    record = values[layout.record]
    instrument, instance = layout.repeat(values)
    where = f"line {line} (record {record})"
    if not record:
        problems.append(f"line {line} has no {RECORD_ID}")
        return
    damaged = [n for n, value in zip(layout.names, values, strict=True) if "\x00" in value]
    if damaged:
        problems.append(
            f"{where}: NUL bytes in {_listed(damaged)} (a damaged file, or UTF-16?); export the "
            "records again"
        )
        return
    formulas = [n for n, value in zip(layout.names, values, strict=True) if formula_like(value)]
    if formulas:
        problems.append(
            f"{where}: {_listed(formulas)} starts like a spreadsheet formula (=, +, -, @); no "
            "field of the eCRF holds one: correct the value in REDCap"
        )
        return
    entry = records.setdefault(record, {"base": None, "instances": {}})
    if not instrument:
        others = [form for form in REPEATING if layout.filled(values, form)]
        if instance or others:
            problems.append(
                f"{where}: data of {', '.join(others) or 'an instance'} on the record's "
                "non-repeating row; set the instruments up as repeating (docs/redcap.md)"
            )
        elif entry["base"] is not None:
            problems.append(f"{where}: a second non-repeating row of the record")
        else:
            entry["base"] = {
                form: (layout.of(values, form), layout.filled(values, form))
                for form in forms()
                if form not in REPEATING
            }
        return
    if instrument not in REPEATING:
        kind = "not repeating in the eCRF" if instrument in forms() else "not an instrument"
        problems.append(f"{where}: {INSTRUMENT} {instrument!r} is {kind}")
        return
    if not _INSTANCE.fullmatch(instance) or int(instance) < 1:
        problems.append(f"{where}: {INSTANCE} {instance!r} is not a positive whole number")
        return
    others = [form for form in forms() if form != instrument and layout.filled(values, form)]
    if others:
        problems.append(f"{where}: an instance of {instrument} with data of {', '.join(others)}")
        return
    if (instrument, int(instance)) in entry["instances"]:
        problems.append(f"{where}: instance {instance} of {instrument} is on two rows")
        return
    entry["instances"][(instrument, int(instance))] = layout.of(values, instrument)


def _tables(records: dict[str, dict]) -> tuple[dict[str, list[tuple]], list[tuple]]:
    tables: dict[str, list] = {stem: [] for stem in EXPORTS}
    for record, entry in records.items():
        base = entry["base"]
        screening = dict(zip(_names("screening"), base["screening"][0], strict=True))
        carried = {source: screening.get(field_name(*source), "") for source in CARRIED.values()}
        for form, (values, filled) in base.items():
            if form == "screening" or filled:
                tables[form].append((_row(form, values, carried, record), (record, form, "")))
        for (form, instance), values in sorted(entry["instances"].items(), key=_instance_order):
            row = _row(form, values, carried, record)
            tables[form].append((row, (record, form, str(instance))))
    out, row_map = {}, []
    for stem, rows in tables.items():
        if stem != "screening":
            at = _contract_columns(stem).index("patient_id")
            rows.sort(key=lambda item, at=at: (item[0][at] == "", item[0][at]))
        out[stem] = [values for values, _ in rows]
        row_map += [(f"{stem}.csv", n, *where) for n, (_, where) in enumerate(rows, start=1)]
    return out, row_map


def _instance_order(item: tuple) -> tuple[int, int]:
    (form, instance), _ = item
    return REPEATING.index(form), instance


def _row(form: str, values: tuple[str, ...], carried: dict, record: str) -> tuple[str, ...]:
    """One contract row of a form from its field values and the record's carried ones."""
    out = []
    for source, at, codes in _plan(form):
        if source:
            out.append(carried[source])
        elif at is None:
            out.append(record)
        else:
            out.append(codes.get(values[at], values[at]))
    return tuple(out)


@cache
def _plan(form: str) -> tuple[tuple[tuple | None, int | None, dict[str, str]], ...]:
    """Per contract column of a form: the column carrying it (or None), the position of its
    field among the form's values (None: the record name), REDCap code -> contract code."""
    names = _names(form)
    plan = []
    for column in _contract_columns(form):
        name = field_name(form, column)
        if (form, column) in CARRIED or name == RECORD_ID:
            plan.append((CARRIED.get((form, column)), None, {}))
        else:
            plan.append((None, names.index(name), by_name()[name].codes))
    return tuple(plan)


def write_exports(tables: dict[str, list[tuple]], folder: str | Path) -> None:
    """The nine exports as the contract's CSV files (UTF-8, a header, `\\n` line ends)."""
    for stem, rows in tables.items():
        write_rows([_contract_columns(stem), *rows], Path(folder) / f"{stem}.csv")


def write_row_map(row_map: list[tuple], path: str | Path) -> None:
    write_rows([ROW_MAP, *row_map], path)


def write_rows(rows: list, path: str | Path) -> None:
    """CSV rows to a file (UTF-8, `\n` line ends), its folder created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
