"""What changed between two data deliveries (SAP 1.2g), row by row and number by number.

Both deliveries pass the gate; their typed tables are compared export by export on the data
contract's key (`contract_key`: the model's unique columns). A key only in the current
delivery is an added row, only in the previous one a removed row, and a key in both with a
different value is one changed row per column. Values are compared typed (a date, an integer,
a float as parsed), so that 5 and 5.0 in a CSV are no change, and written as text: ISO dates,
the shortest round-trip form of a float, empty when missing.

- retroactive: yes for every change or removal, since every row of the previous delivery
  existed at the previous cut (the plan's definition). The report still tells apart the
  changes that carry a date after the previous cut (new follow-up of an existing record)
  from corrections of what had been analysed.
- late_entry: yes for an added row dated on or before the previous cut. A row is dated by its
  export's record date (`RECORD_DATE`); a lesion row, which has none, by its patient's
  enrolment date.

Dates appear here because this compares deliveries, before any analysis; the key results
compared are those of `sbrtlung.reporting.key_results`, computed by the same code from each
delivery.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypandoc

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.tables import markdown_table

COLUMNS = ["export", "key", "column", "previous", "current", "change", "retroactive", "late_entry"]
# The date that says when a row's record belongs to the trial (lesions: the patient's).
RECORD_DATE = {
    "screening": "screening_date",
    "patients": "enrollment_date",
    "sbrt": "start_date",
    "imaging": "assessment_date",
    "progression": "event_date",
    "adverse_events": "onset_date",
    "labs": "sample_date",
    "follow_up": "last_contact_date",
}


class DeltaError(ValueError):
    """Two deliveries that cannot be compared (one line for the user)."""


def contract_key(stem: str) -> list[str]:
    """The columns that identify a row of an export: the model's unique set or column."""
    schema = EXPORTS[stem].to_schema()
    if schema.unique:
        return list(schema.unique)
    return [name for name, column in schema.columns.items() if column.unique]


def as_text(values: pd.Series) -> pd.Series:
    """Typed values as the changes table prints them (ISO dates, round-trip floats)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("")
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda x: "" if pd.isna(x) else repr(float(x)))
    return values.astype(object).map(lambda x: "" if pd.isna(x) else str(x))


def _keys(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    parts = [name + "=" + as_text(frame[name]) for name in key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ";" + part
    return joined


def _record_dates(stem: str, frame: pd.DataFrame, patients: pd.DataFrame) -> pd.Series:
    if stem in RECORD_DATE:
        return frame[RECORD_DATE[stem]]
    enrolled = patients.set_index("patient_id")["enrollment_date"]
    return frame["patient_id"].map(enrolled)


def export_changes(
    stem: str,
    previous: pd.DataFrame,
    current: pd.DataFrame,
    current_patients: pd.DataFrame,
    previous_cut: pd.Timestamp,
) -> pd.DataFrame:
    """The changes of one export (columns `COLUMNS`), in key order."""
    key = contract_key(stem)
    old = previous.reset_index(drop=True).set_index(_keys(previous, key).to_numpy())
    new = current.reset_index(drop=True).set_index(_keys(current, key).to_numpy())
    added = new.index.difference(old.index)
    removed = old.index.difference(new.index)
    both = new.index.intersection(old.index)
    frames = []
    if len(added):
        dated = _record_dates(stem, new.loc[added], current_patients)
        late = np.where(dated.notna() & (dated <= previous_cut), "yes", "no")
        frames.append(_rows(stem, added, "", "", "", "added", "no", late))
    if len(removed):
        frames.append(_rows(stem, removed, "", "", "", "removed", "yes", "no"))
    for column in (c for c in new.columns if c not in key):
        before, after = old.loc[both, column], new.loc[both, column]
        differs = ~((before == after) | (before.isna() & after.isna()))
        differs = differs.fillna(True).to_numpy(bool)
        if differs.any():
            keys = both[differs]
            frames.append(
                _rows(
                    stem,
                    keys,
                    column,
                    as_text(before[differs]).to_numpy(),
                    as_text(after[differs]).to_numpy(),
                    "changed",
                    "yes",
                    "no",
                )
            )
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["key", "change", "column"], kind="stable").reset_index(drop=True)


def _rows(stem, keys, column, previous, current, change, retroactive, late) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "export": stem,
            "key": np.asarray(keys, dtype=object),
            "column": column,
            "previous": previous,
            "current": current,
            "change": change,
            "retroactive": retroactive,
            "late_entry": late,
        },
        columns=COLUMNS,
    )


def changes(
    previous: Mapping[str, pd.DataFrame],
    current: Mapping[str, pd.DataFrame],
    previous_cut: pd.Timestamp,
    current_cut: pd.Timestamp,
) -> pd.DataFrame:
    """Every change between two gated deliveries, export by export in the contract's order."""
    if previous_cut > current_cut:
        raise DeltaError(
            f"previous_data_cut {previous_cut:%Y-%m-%d} is after the current data cut "
            f"{current_cut:%Y-%m-%d}: the previous delivery must be the earlier one"
        )
    frames = [
        export_changes(stem, previous[stem], current[stem], current["patients"], previous_cut)
        for stem in EXPORTS
    ]
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def _leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            if key != "kind":
                yield from _leaves(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, str(index)))
    elif isinstance(data, (bool, int, float)) or (path and "success" in path[-1]):
        yield ".".join(path), data


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def key_result_changes(previous: dict, current: dict) -> pd.DataFrame:
    """Every number (and decision) of two key_results: key, previous, current, difference
    (current minus previous, for numbers present in both), in the current file's order."""
    old, new = dict(_leaves(previous)), dict(_leaves(current))
    keys = list(new) + [k for k in old if k not in new]
    rows = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        x, y = _number(a), _number(b)
        rows.append(
            {
                "key": key,
                "previous": _text(a),
                "current": _text(b),
                "difference": "" if x is None or y is None else _text(y - x),
            }
        )
    return pd.DataFrame(rows, columns=["key", "previous", "current", "difference"])


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(round(value, 12))
    return str(value)


def report_markdown(
    changed: pd.DataFrame,
    numbers: pd.DataFrame,
    previous_cut: str,
    current_cut: str,
    limit: int = 200,
) -> str:
    """The delta report: retroactive changes first, then late entries, then counts per
    export, then the key results that moved."""
    lines = [
        f"# What changed between the data cuts of {previous_cut} and {current_cut}",
        "",
    ]
    if changed.empty:
        lines += ["**No changes**: the two deliveries hold the same rows and values.", ""]
    retro = changed[changed["retroactive"] == "yes"]
    late = changed[changed["late_entry"] == "yes"]
    lines += _section("Retroactive changes (rows that existed at the previous cut)", retro, limit)
    lines += _section("Late entries (added rows dated on or before the previous cut)", late, limit)
    lines += ["## Changes per export", ""]
    counts = (
        changed.assign(n=1)
        .pivot_table(index="export", columns="change", values="n", aggfunc="sum", fill_value=0)
        .reindex(index=list(EXPORTS), columns=["added", "removed", "changed"], fill_value=0)
        .reset_index()
    )
    lines += [_markdown_table(counts), ""]
    moved = numbers[(numbers["previous"] != numbers["current"])]
    lines += ["## Key results that moved", ""]
    if moved.empty:
        lines += ["No number of the key results changed.", ""]
    else:
        lines += [_markdown_table(moved), ""]
    return "\n".join(lines)


def _section(title: str, rows: pd.DataFrame, limit: int) -> list[str]:
    out = [f"## {title}", ""]
    if rows.empty:
        return [*out, "None.", ""]
    shown = rows.head(limit)
    more = f"; the first {limit} shown, all in changes.csv" if len(rows) > limit else ""
    out.append(f"{len(rows)} row(s){more}.")
    out += ["", _markdown_table(shown.drop(columns=["retroactive", "late_entry"])), ""]
    return out


def _markdown_table(frame: pd.DataFrame) -> str:
    return markdown_table(frame.astype(str), align="l" * len(frame.columns))


@dataclass(frozen=True)
class Delta:
    """What the delta rule writes: changes.csv, key_results.csv, the report."""

    changes: pd.DataFrame
    numbers: pd.DataFrame
    markdown: str
    html: str


def html_page(markdown: str, title: str) -> str:
    """A standalone HTML page of a Markdown report (pandoc, as the paper's fallback uses)."""
    return pypandoc.convert_text(
        markdown,
        "html",
        format="markdown",
        extra_args=["--standalone", f"--metadata=pagetitle:{title}", "--wrap=none"],
    )


def delta(
    previous: Mapping[str, pd.DataFrame],
    current: Mapping[str, pd.DataFrame],
    previous_cut: str,
    current_cut: pd.Timestamp,
    previous_results: dict,
    current_results: dict,
) -> Delta:
    """The comparison of two gated deliveries and of their key results; `current_cut` is the
    data cut the gate resolved for the current one (`results/validation/period.json`)."""
    before = pd.Timestamp(previous_cut)
    after = pd.Timestamp(current_cut)
    changed = changes(previous, current, before, after)
    numbers = key_result_changes(previous_results, current_results)
    text = report_markdown(changed, numbers, f"{before:%Y-%m-%d}", f"{after:%Y-%m-%d}")
    return Delta(changed, numbers, text, html_page(text, "What changed since the last cut"))
