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
from collections import Counter
from functools import cache
from pathlib import Path

from sbrtlung.redcap.ecrf import (
    CARRIED,
    RECORD_ID,
    REPEATING,
    RedcapError,
    field_name,
    fields,
    form_fields,
    forms,
)
from sbrtlung.redcap.metadata import check, parse_csv, read_text
from sbrtlung.schemas.raw import EXPORTS

Table = list[dict[str, str]]
INSTRUMENT, INSTANCE = "redcap_repeat_instrument", "redcap_repeat_instance"
IGNORED = ("redcap_data_access_group",)  # a site's data access group: not contract data
STATUSES = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
ROW_MAP = ("file", "row", "record", "instrument", "instance")
SHOWN = 5  # problems named in one refusal


def status(form: str) -> str:
    return f"{form}_complete"


def header() -> list[str]:
    """The columns of the records export, in REDCap's order."""
    columns = [RECORD_ID, INSTRUMENT, INSTANCE]
    for form in forms():
        columns += [f.name for f in form_fields(form) if f.name != RECORD_ID]
        columns.append(status(form))
    return columns


@cache
def _contract_columns(stem: str) -> tuple[str, ...]:
    return tuple(EXPORTS[stem].to_schema().columns)


def split_files(
    records: str | Path, dictionary: str | Path, out: str | Path, rows: str | Path | None = None
) -> None:
    """Check the project's data dictionary, split its records export into the nine exports in
    folder `out`, and write the row map to `rows` (if given)."""
    check(dictionary)
    tables, row_map = split(read_text(records, "records export"), f"records export {records}")
    write_exports(tables, out)
    if rows:
        write_row_map(row_map, rows)


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
                "check the folder with `python -m sbrtlung.validate` first"
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


def split(text: str, what: str = "records export") -> tuple[dict[str, Table], list[tuple]]:
    """The nine exports (text rows) and the row map of a REDCap records export."""
    rows = parse_csv(text, what)
    if not rows:
        raise RedcapError(f"{what}: empty file, no header")
    columns = _check_header(rows[0], what)
    records: dict[str, dict] = {}
    problems, labelled = [], []
    for line, values in enumerate(rows[1:], start=2):
        if not values:
            continue
        if len(values) != len(columns):
            problems.append(f"line {line} has {len(values)} fields, the header {len(columns)}")
            continue
        r = dict(zip(columns, values, strict=True))
        labelled += _labels(r, line)
        _place(r, line, records, problems)
    if labelled:
        raise RedcapError(
            f"{what}: labels instead of raw codes ({_shown(labelled)}); export the records again "
            "as 'CSV / Microsoft Excel (raw data)' (API: rawOrLabel=raw, rawOrLabelHeaders=raw)"
        )
    if problems:
        raise RedcapError(f"{what}: {_shown(problems)}")
    return _tables(records)


def _shown(items: list[str]) -> str:
    more = f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def _check_header(columns: list[str], what: str) -> list[str]:
    known = header()
    if RECORD_ID not in columns:
        labels = {f.label for f in fields()}
        if labels & set(columns):
            raise RedcapError(
                f"{what}: the column names are field labels, not variable names; export the "
                "records again as 'CSV / Microsoft Excel (raw data)' (API: rawOrLabelHeaders=raw)"
            )
        raise RedcapError(f"{what}: no {RECORD_ID} column; not a records export of this eCRF")
    if "redcap_event_name" in columns:
        raise RedcapError(
            f"{what}: from a longitudinal project (redcap_event_name); the eCRF is a classic "
            "project with repeating instruments"
        )
    doubled = sorted(c for c, n in Counter(columns).items() if n > 1)
    unknown = [c for c in columns if c not in known and c not in IGNORED]
    if doubled or unknown:
        hint = (
            "; export without survey fields"
            if any(c.endswith("_timestamp") or c == "redcap_survey_identifier" for c in unknown)
            else ""
        )
        named = ", ".join(unknown + [f"{c} (twice)" for c in doubled])
        raise RedcapError(
            f"{what}: fields the data dictionary does not know: {named}{hint}; the eCRF has "
            "only the contract's fields (identifiers never enter the analysis)"
        )
    missing = [c for c in known if c not in columns]
    if INSTRUMENT in missing or INSTANCE in missing:
        raise RedcapError(
            f"{what}: no {INSTRUMENT} / {INSTANCE} columns; set up {', '.join(REPEATING)} as "
            "repeating instruments in the project (docs/redcap.md)"
        )
    if missing:
        raise RedcapError(
            f"{what}: fields missing from the export: {', '.join(missing)}; export all "
            "instruments and fields"
        )
    return columns


def _labels(r: dict[str, str], line: int) -> list[str]:
    """Cells of one row that hold a label where REDCap writes a raw code."""
    found = []
    instrument = r[INSTRUMENT]
    if instrument and instrument not in forms() and _form_of_label(instrument):
        found.append(f"line {line} {INSTRUMENT} {instrument!r}")
    for form in forms():
        value = r[status(form)]
        if value in STATUSES.values():
            found.append(f"line {line} {status(form)} {value!r}")
    for name, codes, labels in _choice_fields():
        value = r[name]
        if value and value not in codes and value in labels:
            found.append(f"record {r[RECORD_ID]} {name} {value!r} (code {labels[value]!r})")
    return found


@cache
def _choice_fields() -> tuple[tuple[str, frozenset, dict[str, str]], ...]:
    """Name, REDCap codes and label -> code of every choice field."""
    return tuple(
        (f.name, frozenset(f.codes), {label: code for code, label in f.choices})
        for f in fields()
        if f.choices
    )


def _form_of_label(text: str) -> str:
    """The instrument whose display name (REDCap's, from its form name) is `text`, if any."""
    return next((form for form in forms() if _display(form) == text.lower()), "")


def _display(form: str) -> str:
    return form.replace("_", " ").lower()


def _place(r: dict[str, str], line: int, records: dict[str, dict], problems: list[str]) -> None:
    """File one row under its record, or say why it cannot be."""
    record, instrument, instance = r[RECORD_ID], r[INSTRUMENT], r[INSTANCE]
    where = f"line {line} (record {record})"
    if not record:
        problems.append(f"line {line} has no {RECORD_ID}")
        return
    entry = records.setdefault(record, {"base": None, "instances": {}})
    if not instrument:
        others = [form for form in REPEATING if _filled(r, form)]
        if instance or others:
            problems.append(
                f"{where}: data of {', '.join(others) or 'an instance'} on the record's "
                "non-repeating row; set the instruments up as repeating (docs/redcap.md)"
            )
        elif entry["base"] is not None:
            problems.append(f"{where}: a second non-repeating row of the record")
        else:
            entry["base"] = r
        return
    if instrument not in REPEATING:
        kind = "not repeating in the eCRF" if instrument in forms() else "not an instrument"
        problems.append(f"{where}: {INSTRUMENT} {instrument!r} is {kind}")
        return
    if not instance.isdigit() or int(instance) < 1:
        problems.append(f"{where}: {INSTANCE} {instance!r} is not a positive whole number")
        return
    others = [form for form in forms() if form != instrument and _filled(r, form)]
    if others:
        problems.append(f"{where}: an instance of {instrument} with data of {', '.join(others)}")
        return
    if (instrument, int(instance)) in entry["instances"]:
        problems.append(f"{where}: instance {instance} of {instrument} is on two rows")
        return
    entry["instances"][(instrument, int(instance))] = r


def _filled(r: dict[str, str], form: str) -> bool:
    """Whether a row holds data of a form: a field value, or a status other than 'no data'."""
    values = [r[f.name] for f in form_fields(form) if f.name != RECORD_ID]
    return any(values) or r[status(form)] in ("1", "2")


def _tables(records: dict[str, dict]) -> tuple[dict[str, Table], list[tuple]]:
    tables: dict[str, list] = {stem: [] for stem in EXPORTS}
    for record, entry in records.items():
        base = entry["base"] or {}
        carried = {source: base.get(field_name(*source), "") for source in set(CARRIED.values())}
        for form in forms():
            if form in REPEATING:
                continue
            if form == "screening" or (base and _filled(base, form)):
                tables[form].append((_row(form, base, carried, record), (record, form, "")))
        for (form, instance), r in sorted(entry["instances"].items(), key=_instance_order):
            tables[form].append((_row(form, r, carried, record), (record, form, str(instance))))
    out, row_map = {}, []
    for stem, rows in tables.items():
        if stem != "screening":
            rows.sort(key=lambda item: (item[0]["patient_id"] == "", item[0]["patient_id"]))
        out[stem] = [values for values, _ in rows]
        row_map += [(f"{stem}.csv", n, *where) for n, (_, where) in enumerate(rows, start=1)]
    return out, row_map


def _instance_order(item: tuple) -> tuple[int, int]:
    (form, instance), _ = item
    return REPEATING.index(form), instance


def _row(form: str, r: dict[str, str], carried: dict, record: str) -> dict[str, str]:
    """One contract row of a form: its own fields' values, the record's carried ones."""
    values = {}
    for column, source, name, codes in _plan(form):
        if source:
            values[column] = carried[source]
        elif name == RECORD_ID:
            values[column] = record
        else:
            value = r.get(name, "")
            values[column] = codes.get(value, value)
    return values


@cache
def _plan(form: str) -> tuple[tuple[str, tuple | None, str, dict[str, str]], ...]:
    """Per contract column of a form: the carrying column (or None), field, REDCap codes."""
    own = {f.columns[0][1]: f for f in form_fields(form)}
    return tuple(
        (c, CARRIED.get((form, c)), field_name(form, c), own[c].codes if c in own else {})
        for c in _contract_columns(form)
    )


def write_exports(tables: dict[str, Table], folder: str | Path) -> None:
    """The nine exports as the contract's CSV files (UTF-8, a header, `\\n` line ends)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        columns = _contract_columns(stem)
        write_rows([columns, *([r[c] for c in columns] for r in rows)], folder / f"{stem}.csv")


def write_row_map(row_map: list[tuple], path: str | Path) -> None:
    write_rows([ROW_MAP, *row_map], path)


def write_rows(rows: list, path: str | Path) -> None:
    """CSV rows to a file (UTF-8, `\n` line ends), its folder created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
