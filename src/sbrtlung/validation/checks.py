"""Conditional and cross-file rules of the data contract (SAP 2.1), declared as data.

Each rule is a record: an id, a severity, the file and column it reports on, a plain-words
description, the tables its check reads, and the check itself, a pure function of the typed
tables and the configuration that returns the violating rows of that file (index = row
number) with the offending value and a short detail. `run_rules` interprets the list.

Interpretation choices (also in docs/data_contract.md):

- Treated course = a course with at least one fraction delivered (`vocabulary.treated`, the
  definition ADLES.TRTFL uses). TRTSDT / TRTEDT are the earliest start / latest end over a
  patient's treated courses; a patient is never treated when every course has 0 fractions (or
  there is none). If any course of the patient has an unreadable `fractions_delivered` (or a
  treated course an unreadable date) the treatment status or dates are unknown and the rules
  that need them skip that patient.
- A missing or unreadable value is never a violation of a rule that compares it: rules skip
  what they cannot judge (the missing value itself is reported by the column contract). A
  lookup in another file through a key that is duplicated there is skipped the same way.
- `unknown_lesion` is reported only for a known patient (else `unknown_patient` says it).
- Dated records checked against death and last contact: screening_date (rows with a
  patient_id), enrollment_date, surgery_date, SBRT start_date and end_date,
  assessment_date, event_date, AE onset_date and end_date, sample_date, and (against death
  only) last_contact_date. "Living" = vital_status alive.
- Course length = end_date - start_date + 1 days (both days of treatment counted).
- Scan gap: the distinct scan dates of a patient (any lesion) that lie within horizon_days
  after TRTSDT; a gap longer than the threshold between two consecutive ones is reported on
  the first row of the later date.
- Missing analyte: for a treated patient with at least one sample at a timepoint, every
  analyte of the vocabulary absent at that timepoint (reported on row 0 of labs.csv, the
  value naming patient, timepoint and analyte).
- Additions the SAP implies: AE end_date before onset_date (FATAL); an enrolled patient with
  no follow-up row (FATAL); a progression event of a never-treated patient (WARN, not
  analysed); no patient who received a fraction (FATAL: there would be nothing to analyse);
  a later lab timepoint sampled before an earlier one (WARN: the SAP windows overlap for a
  course of under 4 days, so it can be right, but labels may be swapped).
- The study period (`sbrtlung.validation.period`): every date on or before the data cut and
  on or after the study start (a surgery up to 20 years before it).
- A rule that looks ids up in another export is skipped when that export's id column holds a
  value its column contract refused (`Rule.keys`): every lookup would fail, and the finding
  on the id is the root cause.
- An export with a header and no data row: FATAL where the endpoints need its rows;
  progression and adverse events may have none (no event, WARN to confirm); without lab
  values the marker analyses are skipped (WARN). Every other rule that reads a required
  export without rows is skipped: the one finding is the root cause, not thousands of
  follow-on findings.
- Plausibility (`schemas/limits.py`): a lab value outside what is possible for its analyte
  in the canonical unit is FATAL, outside the usual range WARN, as is any other numeric
  value outside its usual range (its impossible range is the column contract's).
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from sbrtlung.schemas import limits
from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.study import SURGERY_YEARS_BEFORE_START, StudyPeriod
from sbrtlung.validation.findings import Finding, Severity, rows_by_value

Tables = Mapping[str, pd.DataFrame]
Config = Mapping[str, Any]
Check = Callable[[Tables, Config], pd.DataFrame]
Detail = Callable[[pd.DataFrame], pd.Series | str]

# Dated columns of each file, checked against death_date and last_contact_date.
DATED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("screening", "screening_date"),
    ("patients", "enrollment_date"),
    ("patients", "surgery_date"),
    ("sbrt", "start_date"),
    ("sbrt", "end_date"),
    ("imaging", "assessment_date"),
    ("progression", "event_date"),
    ("adverse_events", "onset_date"),
    ("adverse_events", "end_date"),
    ("labs", "sample_date"),
    ("follow_up", "last_contact_date"),
)
# Every date column: the dated records, and the death date itself.
ALL_DATES = (*DATED_COLUMNS, ("follow_up", "death_date"))
LESION_KEY = ["patient_id", "lesion_id"]
# Exports the endpoints need rows of; the others may be legitimately empty (no events).
REQUIRED_EXPORTS = ("screening", "patients", "lesions", "sbrt", "imaging", "follow_up")
# The key under which `run_rules` hands the study period to the checks.
PERIOD = "study_period"


@dataclass(frozen=True)
class Rule:
    """One rule of the contract; `needs` lists every table its check reads. A rule runs when
    its tables were read with every column and, unless it `reads_empty`, with rows where the
    endpoints need them; and when none of the `keys` it looks ids up in, (export, column),
    holds a value the column contract refused: an id that cannot be read cannot be matched,
    and the finding on it is the root cause of every lookup that would fail."""

    id: str
    severity: Severity
    file: str
    column: str
    description: str
    needs: tuple[str, ...]
    check: Check
    reads_empty: bool = False
    keys: tuple[tuple[str, str], ...] = ()


# --- helpers -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as a report shows it: dates ISO, whole floats without decimals, missing empty."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _hits(
    frame: pd.DataFrame, mask: pd.Series, column: str, detail: Detail | None = None
) -> pd.DataFrame:
    """The rows of `frame` (index = row number) where `mask` is true; unknown counts as false."""
    rows = frame[mask.fillna(False).astype(bool)]
    details: pd.Series | str = ""
    if detail is not None and len(rows):
        found = detail(rows)
        details = found.map(str) if isinstance(found, pd.Series) else found
    return pd.DataFrame({"value": rows[column].map(_text), "detail": details}, index=rows.index)


def _ids(table: pd.DataFrame) -> list[str]:
    return table["patient_id"].dropna().unique().tolist()


def _join(
    table: pd.DataFrame, other: pd.DataFrame, on: list[str], columns: dict[str, str]
) -> pd.DataFrame:
    """`table` with `columns` of `other` looked up by key, renamed, and a `_matched` flag.

    A key on several rows of `other` is matched but its values are missing (ambiguous), so the
    rules skip it; the duplicate itself is a contract finding of `other`.
    """
    keyed = other.dropna(subset=on)
    duplicated = keyed.duplicated(on, keep=False)
    right = keyed.loc[~duplicated].set_index(on)[list(columns)].rename(columns=columns)
    keys = pd.MultiIndex.from_frame(table[on]) if len(on) > 1 else pd.Index(table[on[0]])
    looked = right.reindex(keys).set_axis(table.index)
    matched = keys.isin(keyed.set_index(on).index)
    return pd.concat([table, looked], axis=1).assign(_matched=matched)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days


@cache
def _contract_columns(stem: str) -> frozenset[str]:
    return frozenset(EXPORTS[stem].to_schema().columns)


def _treatment(tables: Tables) -> pd.DataFrame:
    """Per enrolled patient: `treated`, `untreated` (both false when unknown), TRTSDT, TRTEDT."""
    ids = pd.Index(_ids(tables["patients"]), name="patient_id")
    sbrt = tables["sbrt"].dropna(subset=["patient_id"])
    delivered = sbrt["fractions_delivered"]
    course_treated = v.treated(delivered).fillna(False).astype(bool)
    unknown = delivered.isna().groupby(sbrt["patient_id"]).any().reindex(ids, fill_value=False)
    treated = course_treated.groupby(sbrt["patient_id"]).any().reindex(ids, fill_value=False)
    courses = sbrt[course_treated]
    by = courses.groupby("patient_id")
    dates_unknown = (
        courses[["start_date", "end_date"]].isna().any(axis=1).groupby(courses["patient_id"]).any()
    )
    known = ~dates_unknown.reindex(ids, fill_value=False) & ~unknown
    return pd.DataFrame(
        {
            "treated": treated,
            "untreated": ~treated & ~unknown,
            "trtsdt": by["start_date"].min().reindex(ids).where(known),
            "trtedt": by["end_date"].max().reindex(ids).where(known),
        },
        index=ids,
    )


def _with_treatment(tables: Tables, file: str) -> pd.DataFrame:
    """Rows of `file` with their patient's treatment status and dates (unknown patient: none)."""
    table = tables[file]
    treatment = _treatment(tables).reset_index()
    return _join(table, treatment, ["patient_id"], {c: c for c in treatment.columns[1:]})


# --- within-file rules ---------------------------------------------------------------------


def _exclusion_reason(t: Tables, c: Config) -> pd.DataFrame:
    s = t["screening"]
    given = s["exclusion_reason"].notna()
    mask = (s["eligible"].eq("no") & ~given) | (s["eligible"].eq("yes") & given)
    return _hits(s, mask, "exclusion_reason", lambda r: "eligible=" + r["eligible"])


def _screening_duplicate(t: Tables, c: Config) -> pd.DataFrame:
    s = t["screening"]
    ids = s["patient_id"]
    mask = ids.notna() & ids.duplicated(keep=False)
    rows_of = rows_by_value(ids[mask])
    return _hits(s, mask, "patient_id", lambda r: "on rows " + r["patient_id"].map(rows_of))


def _screening_id_not_eligible(t: Tables, c: Config) -> pd.DataFrame:
    s = t["screening"]
    return _hits(s, s["patient_id"].notna() & s["eligible"].eq("no"), "patient_id")


def _patient_prefix(t: Tables, c: Config) -> pd.DataFrame:
    p = t["patients"]
    prefix = p["patient_id"].str.split("-").str[0]
    mask = p["patient_id"].notna() & p["site_id"].notna() & prefix.ne(p["site_id"])
    return _hits(p, mask, "patient_id", lambda r: "site_id " + r["site_id"])


def _pack_years(t: Tables, c: Config) -> pd.DataFrame:
    p = t["patients"]
    years = p["pack_years"]
    never = p["smoking"].eq("never")
    smoker = p["smoking"].isin(["former", "current"])
    mask = years.notna() & ((never & years.ne(0)) | (smoker & years.eq(0)))
    return _hits(p, mask, "pack_years", lambda r: "smoking=" + r["smoking"])


def _fractions(t: Tables, c: Config) -> pd.DataFrame:
    s = t["sbrt"]
    mask = s["fractions_delivered"].gt(s["fractions_planned"])
    return _hits(s, mask, "fractions_delivered", lambda r: r["fractions_planned"].map(_planned))


def _planned(planned: Any) -> str:
    return f"{planned} planned"


def _confirmation(t: Tables, c: Config) -> pd.DataFrame:
    i = t["imaging"]
    given = i["confirmation"].notna()
    failure = i["local_status"].eq("failure")
    other = i["local_status"].isin(["controlled", "not_evaluable"])
    mask = (failure & ~given) | (other & given)
    return _hits(i, mask, "confirmation", lambda r: "local_status=" + r["local_status"])


def _iff_dead(column: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        f = t["follow_up"]
        given = f[column].notna()
        mask = (f["vital_status"].eq("dead") & ~given) | (f["vital_status"].eq("alive") & given)
        return _hits(f, mask, column, lambda r: "vital_status=" + r["vital_status"])

    return check


# --- cross-file rules ----------------------------------------------------------------------


def _unknown_patient(file: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        table = t[file]
        ids = table["patient_id"]
        return _hits(table, ids.notna() & ~ids.isin(_ids(t["patients"])), "patient_id")

    return check


def _unknown_lesion(file: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        joined = _join(t[file], t["lesions"], LESION_KEY, {})
        known = joined["patient_id"].isin(_ids(t["patients"]))
        mask = known & joined["lesion_id"].notna() & ~joined["_matched"]
        return _hits(joined, mask, "lesion_id", lambda r: "patient " + r["patient_id"])

    return check


def _screening_of_patients(t: Tables) -> pd.DataFrame:
    screening = t["screening"]
    columns = {"eligible": "_eligible", "site_id": "_site"}
    return _join(t["patients"], screening, ["patient_id"], columns)


def _not_screened(t: Tables, c: Config) -> pd.DataFrame:
    joined = _screening_of_patients(t)
    return _hits(joined, joined["patient_id"].notna() & ~joined["_matched"], "patient_id")


def _screened_not_eligible(t: Tables, c: Config) -> pd.DataFrame:
    joined = _screening_of_patients(t)
    return _hits(joined, joined["_eligible"].eq("no"), "patient_id")


def _site_mismatch(t: Tables, c: Config) -> pd.DataFrame:
    joined = _screening_of_patients(t)
    site = joined["_site"]
    mask = site.notna() & joined["site_id"].notna() & site.ne(joined["site_id"])
    return _hits(joined, mask, "site_id", lambda r: "screened at " + r["_site"])


def _patient_without(file: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        p = t["patients"]
        ids = p["patient_id"]
        return _hits(p, ids.notna() & ~ids.isin(_ids(t[file])), "patient_id")

    return check


def _date_before(file: str, column: str, reference: str) -> Check:
    """Rows of one file whose `column` is before its `reference` date column."""

    def check(t: Tables, c: Config) -> pd.DataFrame:
        table = t[file]
        mask = table[column].lt(table[reference])
        return _hits(table, mask, column, lambda r: f"{reference} " + r[reference].map(_text))

    return check


def _sbrt_before_enrollment(t: Tables, c: Config) -> pd.DataFrame:
    joined = _join(t["sbrt"], t["patients"], ["patient_id"], {"enrollment_date": "_enrolled"})
    mask = joined["start_date"].lt(joined["_enrolled"])
    return _hits(joined, mask, "start_date", lambda r: "enrolled " + r["_enrolled"].map(_text))


def _course_of_scans(t: Tables) -> pd.DataFrame:
    columns = {"start_date": "_start", "fractions_delivered": "_delivered"}
    joined = _join(t["imaging"], t["sbrt"], LESION_KEY, columns)
    lesion = _join(t["imaging"], t["lesions"], LESION_KEY, {})
    return joined.assign(_lesion=lesion["_matched"])


def _imaging_untreated(t: Tables, c: Config) -> pd.DataFrame:
    joined = _course_of_scans(t)
    untreated = ~joined["_matched"] | ~v.treated(joined["_delivered"])
    return _hits(
        joined,
        joined["_lesion"] & untreated,
        "lesion_id",
        lambda r: r["_matched"].map({True: "0 fractions delivered", False: "no SBRT course"}),
    )


def _imaging_not_after_start(t: Tables, c: Config) -> pd.DataFrame:
    joined = _course_of_scans(t)
    mask = joined["_delivered"].ge(1) & joined["assessment_date"].le(joined["_start"])
    return _hits(joined, mask, "assessment_date", lambda r: "start " + r["_start"].map(_text))


def _relative_to_start(file: str, column: str, start_day_too: bool) -> Check:
    """Rows dated before the patient's first SBRT start (or on that day, if `start_day_too`)."""

    def check(t: Tables, c: Config) -> pd.DataFrame:
        joined = _with_treatment(t, file)
        date, start = joined[column], joined["trtsdt"]
        mask = date.le(start) if start_day_too else date.lt(start)
        return _hits(joined, mask, column, lambda r: "first SBRT start " + r["trtsdt"].map(_text))

    return check


def _never_treated(file: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        joined = _with_treatment(t, file)
        return _hits(joined, joined["untreated"].eq(True), "patient_id")

    return check


def _after_death(file: str, column: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        joined = _join(t[file], t["follow_up"], ["patient_id"], {"death_date": "_death"})
        mask = joined[column].gt(joined["_death"])
        return _hits(joined, mask, column, lambda r: "death " + r["_death"].map(_text))

    return check


def _after_last_contact(file: str, column: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        columns = {"vital_status": "_vital", "last_contact_date": "_last"}
        joined = _join(t[file], t["follow_up"], ["patient_id"], columns)
        mask = joined["_vital"].eq("alive") & joined[column].gt(joined["_last"])
        return _hits(joined, mask, column, lambda r: "last contact " + r["_last"].map(_text))

    return check


def _grade5_not_dead(t: Tables, c: Config) -> pd.DataFrame:
    joined = _join(t["adverse_events"], t["follow_up"], ["patient_id"], {"vital_status": "_vital"})
    mask = joined["grade"].eq(5) & joined["_vital"].eq("alive")
    return _hits(joined, mask, "grade", lambda r: "vital_status=" + r["_vital"])


def _unit_not_allowed(t: Tables, c: Config) -> pd.DataFrame:
    labs = t["labs"]
    allowed = labs["analyte"].map(lambda a: tuple(v.LAB_UNITS.get(a, ())))
    wrong = [
        bool(units) and isinstance(unit, str) and unit not in units
        for units, unit in zip(allowed, labs["unit"], strict=True)
    ]
    mask = pd.Series(wrong, index=labs.index, dtype=bool)
    return _hits(labs, mask, "unit", lambda r: r["analyte"].map(_accepted_units))


def _accepted_units(analyte: str) -> str:
    return f"{analyte} accepts {', '.join(v.LAB_UNITS[analyte])}"


def _screening_after_enrollment(t: Tables, c: Config) -> pd.DataFrame:
    joined = _join(t["screening"], t["patients"], ["patient_id"], {"enrollment_date": "_enrolled"})
    mask = joined["screening_date"].gt(joined["_enrolled"])
    return _hits(joined, mask, "screening_date", lambda r: "enrolled " + r["_enrolled"].map(_text))


def _after_cut(file: str, column: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        period: StudyPeriod = c[PERIOD]
        table = t[file]
        detail = f"data cut {_text(period.cut)}, {period.cut_source}"
        return _hits(table, table[column].gt(period.cut), column, lambda r: detail)

    return check


def _before_start(file: str, column: str) -> Check:
    def check(t: Tables, c: Config) -> pd.DataFrame:
        period: StudyPeriod = c[PERIOD]
        table = t[file]
        if column == "surgery_date":
            bound = period.earliest_surgery
            detail = (
                f"earliest plausible surgery {_text(bound)}, {SURGERY_YEARS_BEFORE_START} "
                f"years before the study start ({period.start_source})"
            )
        else:
            bound = period.start
            detail = f"study start {_text(bound)}, {period.start_source}"
        return _hits(table, table[column].lt(bound), column, lambda r: detail)

    return check


def _lab_order(t: Tables, c: Config) -> pd.DataFrame:
    """Samples of a later timepoint dated before a sample of an earlier one (same analyte)."""
    labs = t["labs"]
    key = ["patient_id", "analyte", "timepoint"]
    known = labs.dropna(subset=[*key, "sample_date"])
    known = known[known["timepoint"].isin(v.TIMEPOINTS) & ~known.duplicated(key, keep=False)]
    if known.empty:
        return _hits(labs, pd.Series(False, index=labs.index), "sample_date")
    dates = known.set_index(key)["sample_date"].unstack("timepoint")
    dates = dates.reindex(columns=list(v.TIMEPOINTS))
    # The latest date of the earlier timepoints (none for the baseline).
    earlier = dates.cummax(axis=1).ffill(axis=1).shift(axis=1).stack().rename("_earlier")
    joined = known.join(earlier, on=key)
    mask = joined["sample_date"].lt(joined["_earlier"])

    def detail(rows: pd.DataFrame) -> pd.Series:
        return "an earlier timepoint sampled " + rows["_earlier"].map(_text)

    return _hits(joined, mask, "sample_date", detail)


def _unit_hint(analyte: str, value: float, unit: str) -> str:
    """The accepted unit that would make an impossible value usual, as a question."""
    usual = limits.LABS[analyte]
    for other, factor in v.LAB_UNITS[analyte].items():
        converted = value * factor
        if other != unit and _inside(converted, usual.usual_low, usual.usual_high):
            canonical = v.CANONICAL_UNITS[analyte]
            return f"; in {other} it would be {_text(round(converted, 6))} {canonical}: wrong unit?"
    return ""


def _inside(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _lab_limits(usual: bool) -> Check:
    """Lab values outside the possible (FATAL) or, within it, the usual (WARN) range."""

    def check(t: Tables, c: Config) -> pd.DataFrame:
        labs = t["labs"]
        value = v.canonical_values(labs)
        bounds = labs["analyte"].map(limits.LABS)
        known = value.notna() & bounds.notna()

        def outside(low: str, high: str) -> pd.Series:
            lows = bounds[known].map(lambda b: getattr(b, low)).astype(float)
            highs = bounds[known].map(lambda b: getattr(b, high)).astype(float)
            return value[known].lt(lows) | value[known].gt(highs)

        impossible = outside("low", "high").reindex(labs.index, fill_value=False)
        if usual:
            mask = outside("usual_low", "usual_high").reindex(labs.index, fill_value=False)
            mask &= ~impossible
        else:
            mask = impossible

        def detail(rows: pd.DataFrame) -> pd.Series:
            return pd.Series(
                [
                    _limit_detail(analyte, value[row], usual)
                    + ("" if usual else _unit_hint(analyte, raw, unit))
                    for row, analyte, raw, unit in zip(
                        rows.index, rows["analyte"], rows["value"], rows["unit"], strict=True
                    )
                ],
                index=rows.index,
            )

        return _hits(labs, mask, "value", detail)

    return check


def _limit_detail(analyte: str, value: float, usual: bool) -> str:
    bound = limits.LABS[analyte]
    unit = v.CANONICAL_UNITS[analyte]
    low, high = (bound.usual_low, bound.usual_high) if usual else (bound.low, bound.high)
    kind = "usual" if usual else "possible"
    return f"{analyte} {_text(round(value, 6))} {unit}; {kind} {_range_text(low, high)} {unit}"


def _range_text(low: float | None, high: float | None) -> str:
    if low is None:
        return f"at most {_text(high)}"
    if high is None:
        return f"at least {_text(low)}"
    return f"{_text(low)} to {_text(high)}"


def _unusual_value(file: str, column: str) -> Check:
    bound = limits.FIELDS[(file, column)]
    detail = f"usual {_range_text(bound.usual_low, bound.usual_high)}"

    def check(t: Tables, c: Config) -> pd.DataFrame:
        values = t[file][column].astype(float)
        low = bound.usual_low if bound.usual_low is not None else -float("inf")
        high = bound.usual_high if bound.usual_high is not None else float("inf")
        mask = values.lt(low) | values.gt(high)
        return _hits(t[file], mask, column, lambda r: detail)

    return check


# --- WARN rules ----------------------------------------------------------------------------


def _lab_window(t: Tables, c: Config) -> pd.DataFrame:
    joined = _with_treatment(t, "labs")
    baseline = joined["timepoint"].eq("baseline")
    anchor = joined["trtsdt"].where(baseline, joined["trtedt"])
    day = _days(joined["sample_date"], anchor)
    windows = c["lab_windows"]
    low = joined["timepoint"].map(lambda tp: windows.get(tp, [None, None])[0]).astype(float)
    high = joined["timepoint"].map(lambda tp: windows.get(tp, [None, None])[1]).astype(float)
    mask = day.lt(low) | day.gt(high)

    def detail(rows: pd.DataFrame) -> pd.Series:
        reference = rows["timepoint"].map(
            lambda tp: "first SBRT start" if tp == "baseline" else "last SBRT end"
        )
        return (
            "day "
            + day[rows.index].map(lambda d: f"{int(d):+d}")
            + " from "
            + reference
            + ", window "
            + low[rows.index].map(_text)
            + " to "
            + high[rows.index].map(_text)
        )

    return _hits(joined, mask, "sample_date", detail)


def _long_course(t: Tables, c: Config) -> pd.DataFrame:
    s = t["sbrt"]
    length = _days(s["end_date"], s["start_date"]) + 1
    mask = length.gt(c["quality"]["max_course_days"])
    return _hits(s, mask, "end_date", lambda r: length[r.index].map(lambda n: f"{int(n)} days"))


def _incomplete_course(t: Tables, c: Config) -> pd.DataFrame:
    s = t["sbrt"]
    mask = s["fractions_delivered"].lt(s["fractions_planned"])
    return _hits(s, mask, "fractions_delivered", lambda r: r["fractions_planned"].map(_planned))


def _scan_gap(t: Tables, c: Config) -> pd.DataFrame:
    joined = _with_treatment(t, "imaging")
    day = _days(joined["assessment_date"], joined["trtsdt"])
    scans = joined[day.between(0, c["horizon_days"])].rename_axis("row").reset_index()
    first = scans.sort_values(["patient_id", "assessment_date", "row"], kind="stable")
    first = first.drop_duplicates(["patient_id", "assessment_date"])
    previous = first.groupby("patient_id")["assessment_date"].shift()
    gap = _days(first["assessment_date"], previous)
    flagged = first.assign(_previous=previous, _gap=gap).set_index("row")
    mask = flagged["_gap"].gt(c["quality"]["max_scan_gap_days"])

    def detail(rows: pd.DataFrame) -> pd.Series:
        gaps = rows["_gap"].map(lambda g: f"{int(g)} days since the scan of ")
        return gaps + rows["_previous"].map(_text)

    return _hits(flagged, mask, "assessment_date", detail).sort_index()


def _no_follow_up_scan(t: Tables, c: Config) -> pd.DataFrame:
    joined = _with_treatment(t, "patients")
    scanned = joined["patient_id"].isin(_ids(t["imaging"]))
    return _hits(joined, joined["treated"].eq(True) & ~scanned, "patient_id")


def _missing_analyte(t: Tables, c: Config) -> pd.DataFrame:
    joined = _with_treatment(t, "labs")
    labs = joined[joined["treated"].eq(True) & joined["timepoint"].isin(v.TIMEPOINTS)]
    present = labs.dropna(subset=["analyte"]).groupby(["patient_id", "timepoint"])["analyte"]
    values = [
        f"{patient}, {timepoint}, {analyte}"
        for (patient, timepoint), analytes in sorted(
            present.agg(set).items(), key=lambda item: (item[0][0], v.TIMEPOINTS.index(item[0][1]))
        )
        for analyte in v.ANALYTES
        if analyte not in analytes
    ]
    return pd.DataFrame(
        {"value": values, "detail": ""},
        index=pd.Index([0] * len(values), dtype="int64"),
    )


def _whole_file(reason: str) -> pd.DataFrame:
    """One finding on row 0 (the file itself), for a rule about a file as a whole."""
    return pd.DataFrame({"value": [""], "detail": [reason]}, index=pd.Index([0], dtype="int64"))


def _empty(stem: str) -> Check:
    """One finding on the file when it was read with no data row."""

    def check(t: Tables, c: Config) -> pd.DataFrame:
        return _whole_file("") if t[stem].empty else _whole_file("").iloc[:0]

    return check


def _no_treated_patient(t: Tables, c: Config) -> pd.DataFrame:
    delivered = t["sbrt"]["fractions_delivered"]
    if v.treated(delivered).any() or delivered.isna().any() or t["patients"].empty:
        return _whole_file("").iloc[:0]
    return _whole_file("every course delivered 0 fractions or there is none")


# --- the rules -----------------------------------------------------------------------------

_PATIENT_FILES = (
    "screening",
    "lesions",
    "sbrt",
    "imaging",
    "progression",
    "adverse_events",
    "labs",
    "follow_up",
)
_TREATMENT = ("patients", "sbrt")

_USUAL_FIELDS = tuple(
    key
    for key, bound in limits.FIELDS.items()
    if (bound.usual_low, bound.usual_high) != (None, None)
)

RULES: tuple[Rule, ...] = (
    # Exports without a data row: the root cause, reported once (rules reading them skip).
    *(
        Rule(
            "empty_export",
            "FATAL",
            stem,
            "",
            "the export has no data row (or none could be read); the analysis needs its rows",
            (stem,),
            _empty(stem),
            reads_empty=True,
        )
        for stem in REQUIRED_EXPORTS
    ),
    *(
        Rule(
            "no_event_recorded",
            "WARN",
            stem,
            "",
            "an export of events has no data row: analysed as no event (no regional or distant "
            "failure, no adverse event); confirm that the export is complete",
            (stem,),
            _empty(stem),
            reads_empty=True,
        )
        for stem in ("progression", "adverse_events")
    ),
    Rule(
        "no_lab_values",
        "WARN",
        "labs",
        "",
        "the labs export has no data row: the blood-marker analyses and the prognostic models "
        "with markers are skipped",
        ("labs",),
        _empty("labs"),
        reads_empty=True,
    ),
    # The delivery as a whole: without a treated patient there is nothing to analyse.
    Rule(
        "no_treated_patient",
        "FATAL",
        "sbrt",
        "fractions_delivered",
        "no patient received a fraction of SBRT: the safety set is empty",
        ("patients", "sbrt"),
        _no_treated_patient,
    ),
    # Within one file.
    Rule(
        "exclusion_reason_iff_not_eligible",
        "FATAL",
        "screening",
        "exclusion_reason",
        "an exclusion reason is given if and only if the patient is not eligible",
        ("screening",),
        _exclusion_reason,
    ),
    Rule(
        "duplicate_key",
        "FATAL",
        "screening",
        "patient_id",
        "a patient_id filled on more than one screening row (empty ones are not duplicates)",
        ("screening",),
        _screening_duplicate,
    ),
    Rule(
        "patient_id_only_if_eligible",
        "FATAL",
        "screening",
        "patient_id",
        "a patient_id is filled on a screening row of a patient who is not eligible",
        ("screening",),
        _screening_id_not_eligible,
    ),
    Rule(
        "patient_id_prefix",
        "FATAL",
        "patients",
        "patient_id",
        "the part of the patient_id before the hyphen is not the patient's site_id",
        ("patients",),
        _patient_prefix,
    ),
    Rule(
        "pack_years_iff_never",
        "FATAL",
        "patients",
        "pack_years",
        "pack_years is 0 if and only if the patient never smoked",
        ("patients",),
        _pack_years,
    ),
    Rule(
        "fractions_delivered_le_planned",
        "FATAL",
        "sbrt",
        "fractions_delivered",
        "more fractions delivered than planned",
        ("sbrt",),
        _fractions,
    ),
    Rule(
        "confirmation_iff_failure",
        "FATAL",
        "imaging",
        "confirmation",
        "a confirmation is given if and only if the local status is failure",
        ("imaging",),
        _confirmation,
    ),
    Rule(
        "death_date_iff_dead",
        "FATAL",
        "follow_up",
        "death_date",
        "a death date is given if and only if the patient is dead",
        ("follow_up",),
        _iff_dead("death_date"),
    ),
    Rule(
        "cause_of_death_iff_dead",
        "FATAL",
        "follow_up",
        "cause_of_death",
        "a cause of death is given if and only if the patient is dead",
        ("follow_up",),
        _iff_dead("cause_of_death"),
    ),
    # Keys that must exist in another file.
    *(
        Rule(
            "unknown_patient",
            "FATAL",
            file,
            "patient_id",
            "a patient_id that is not in patients.csv",
            (file, "patients"),
            _unknown_patient(file),
            keys=(("patients", "patient_id"),),
        )
        for file in _PATIENT_FILES
    ),
    *(
        Rule(
            "unknown_lesion",
            "FATAL",
            file,
            "lesion_id",
            "a lesion of a known patient that is not in lesions.csv",
            (file, "patients", "lesions"),
            _unknown_lesion(file),
            keys=(("patients", "patient_id"), ("lesions", "patient_id"), ("lesions", "lesion_id")),
        )
        for file in ("sbrt", "imaging")
    ),
    Rule(
        "not_screened",
        "FATAL",
        "patients",
        "patient_id",
        "an enrolled patient whose patient_id is on no screening row",
        ("patients", "screening"),
        _not_screened,
        keys=(("screening", "patient_id"),),
    ),
    Rule(
        "screened_not_eligible",
        "FATAL",
        "patients",
        "patient_id",
        "an enrolled patient whose screening row says not eligible",
        ("patients", "screening"),
        _screened_not_eligible,
    ),
    Rule(
        "screening_site_mismatch",
        "FATAL",
        "patients",
        "site_id",
        "an enrolled patient screened at another site",
        ("patients", "screening"),
        _site_mismatch,
    ),
    Rule(
        "no_lesion",
        "FATAL",
        "patients",
        "patient_id",
        "an enrolled patient with no lesion in lesions.csv",
        ("patients", "lesions"),
        _patient_without("lesions"),
        keys=(("lesions", "patient_id"),),
    ),
    Rule(
        "no_follow_up",
        "FATAL",
        "patients",
        "patient_id",
        "an enrolled patient with no row in follow_up.csv (addition to SAP 2.1)",
        ("patients", "follow_up"),
        _patient_without("follow_up"),
        keys=(("follow_up", "patient_id"),),
    ),
    # Dates in order.
    Rule(
        "enrollment_before_surgery",
        "FATAL",
        "patients",
        "enrollment_date",
        "enrollment before the surgery",
        ("patients",),
        _date_before("patients", "enrollment_date", "surgery_date"),
    ),
    Rule(
        "screening_after_enrollment",
        "FATAL",
        "screening",
        "screening_date",
        "a patient screened after the enrollment",
        ("screening", "patients"),
        _screening_after_enrollment,
    ),
    Rule(
        "sbrt_before_enrollment",
        "FATAL",
        "sbrt",
        "start_date",
        "an SBRT course starting before the patient's enrollment",
        ("sbrt", "patients"),
        _sbrt_before_enrollment,
    ),
    Rule(
        "sbrt_end_before_start",
        "FATAL",
        "sbrt",
        "end_date",
        "an SBRT course ending before it starts",
        ("sbrt",),
        _date_before("sbrt", "end_date", "start_date"),
    ),
    Rule(
        "imaging_untreated_lesion",
        "FATAL",
        "imaging",
        "lesion_id",
        "a scan of a lesion with no SBRT course or no fraction delivered",
        ("imaging", "sbrt", "lesions"),
        _imaging_untreated,
    ),
    Rule(
        "imaging_not_after_start",
        "FATAL",
        "imaging",
        "assessment_date",
        "a scan dated on or before the start of its lesion's SBRT course",
        ("imaging", "sbrt", "lesions"),
        _imaging_not_after_start,
    ),
    Rule(
        "progression_not_after_treatment",
        "FATAL",
        "progression",
        "event_date",
        "a progression event on or before the patient's first SBRT start",
        ("progression", *_TREATMENT),
        _relative_to_start("progression", "event_date", start_day_too=True),
    ),
    Rule(
        "ae_before_treatment",
        "FATAL",
        "adverse_events",
        "onset_date",
        "an adverse event with onset before the patient's first SBRT start",
        ("adverse_events", *_TREATMENT),
        _relative_to_start("adverse_events", "onset_date", start_day_too=False),
    ),
    Rule(
        "ae_untreated",
        "FATAL",
        "adverse_events",
        "patient_id",
        "an adverse event of a patient never treated (no fraction delivered)",
        ("adverse_events", *_TREATMENT),
        _never_treated("adverse_events"),
    ),
    Rule(
        "ae_end_before_onset",
        "FATAL",
        "adverse_events",
        "end_date",
        "an adverse event ending before its onset (addition to SAP 2.1)",
        ("adverse_events",),
        _date_before("adverse_events", "end_date", "onset_date"),
    ),
    *(
        Rule(
            "after_death",
            "FATAL",
            file,
            column,
            "a dated record after the patient's death date",
            (file, "follow_up"),
            _after_death(file, column),
        )
        for file, column in DATED_COLUMNS
    ),
    *(
        Rule(
            "after_last_contact",
            "FATAL",
            file,
            column,
            "a dated record of a living patient after the last contact date",
            (file, "follow_up"),
            _after_last_contact(file, column),
        )
        for file, column in DATED_COLUMNS
        if file != "follow_up"
    ),
    *(
        Rule(
            "after_data_cut",
            "FATAL",
            file,
            column,
            "a date after the data cut",
            (file,),
            _after_cut(file, column),
        )
        for file, column in ALL_DATES
    ),
    *(
        Rule(
            "before_study_start",
            "FATAL",
            file,
            column,
            "a date before the study start (a surgery: more than "
            f"{SURGERY_YEARS_BEFORE_START} years before it)",
            (file,),
            _before_start(file, column),
        )
        for file, column in ALL_DATES
    ),
    Rule(
        "lab_impossible",
        "FATAL",
        "labs",
        "value",
        "a lab value outside what is physiologically possible for its analyte (canonical unit)",
        ("labs",),
        _lab_limits(usual=False),
    ),
    Rule(
        "grade5_not_dead",
        "FATAL",
        "adverse_events",
        "grade",
        "a grade 5 (fatal) adverse event of a patient recorded alive",
        ("adverse_events", "follow_up"),
        _grade5_not_dead,
    ),
    Rule(
        "unit_not_allowed",
        "FATAL",
        "labs",
        "unit",
        "a unit that is not accepted for its analyte (SAP 2.2)",
        ("labs",),
        _unit_not_allowed,
    ),
    # WARN: listed in the data-quality report, the analysis goes on.
    Rule(
        "lab_out_of_window",
        "WARN",
        "labs",
        "sample_date",
        "a lab sample outside the window of its timepoint",
        ("labs", *_TREATMENT),
        _lab_window,
    ),
    Rule(
        "lab_untreated",
        "WARN",
        "labs",
        "patient_id",
        "a lab sample of a patient never treated (not analysed)",
        ("labs", *_TREATMENT),
        _never_treated("labs"),
    ),
    Rule(
        "lab_timepoints_out_of_order",
        "WARN",
        "labs",
        "sample_date",
        "a sample dated before the sample of an earlier timepoint of the same analyte "
        "(timepoint labels swapped?)",
        ("labs",),
        _lab_order,
    ),
    Rule(
        "lab_unusual",
        "WARN",
        "labs",
        "value",
        "a lab value possible but outside the usual range of its analyte (canonical unit)",
        ("labs",),
        _lab_limits(usual=True),
    ),
    *(
        Rule(
            "value_unusual",
            "WARN",
            file,
            column,
            "a value possible but outside the usual range of its column",
            (file,),
            _unusual_value(file, column),
        )
        for file, column in _USUAL_FIELDS
    ),
    Rule(
        "long_course",
        "WARN",
        "sbrt",
        "end_date",
        "an SBRT course longer than the allowed number of days (both ends counted)",
        ("sbrt",),
        _long_course,
    ),
    Rule(
        "incomplete_course",
        "WARN",
        "sbrt",
        "fractions_delivered",
        "fewer fractions delivered than planned",
        ("sbrt",),
        _incomplete_course,
    ),
    Rule(
        "scan_gap",
        "WARN",
        "imaging",
        "assessment_date",
        "a gap longer than allowed between consecutive scans within the horizon",
        ("imaging", *_TREATMENT),
        _scan_gap,
    ),
    Rule(
        "no_follow_up_scan",
        "WARN",
        "patients",
        "patient_id",
        "a treated patient with no follow-up scan",
        ("patients", "sbrt", "imaging"),
        _no_follow_up_scan,
    ),
    Rule(
        "missing_analyte",
        "WARN",
        "labs",
        "analyte",
        "an analyte missing at a timepoint sampled for a treated patient",
        ("labs", *_TREATMENT),
        _missing_analyte,
    ),
    Rule(
        "progression_untreated",
        "WARN",
        "progression",
        "patient_id",
        "a progression event of a patient never treated (not analysed; addition to SAP 2.1)",
        ("progression", *_TREATMENT),
        _never_treated("progression"),
    ),
)


def _usable(tables: Tables, stem: str, rule: Rule) -> bool:
    """True when the export was read with every column of the contract, and with rows if the
    endpoints need them (an empty required export is its own finding, not thousands)."""
    if stem not in tables or not _contract_columns(stem) <= set(tables[stem].columns):
        return False
    return rule.reads_empty or not (stem in REQUIRED_EXPORTS and tables[stem].empty)


def run_rules(
    tables: Tables,
    config: Config,
    period: StudyPeriod,
    refused: Collection[tuple[str, str]] = (),
) -> list[Finding]:
    """Every finding of every rule whose tables are usable (the others are skipped).

    `refused`: the (export, column) pairs with a value the column contract refused, which
    makes a lookup in them unreliable (`Rule.keys`).
    """
    context = {**config, PERIOD: period}
    findings = []
    for rule in RULES:
        if not all(_usable(tables, stem, rule) for stem in rule.needs):
            continue
        if any(key in refused for key in rule.keys):
            continue
        hits = rule.check(tables, context)
        for row, value, detail in hits.itertuples():
            message = f"{rule.description}: {detail}" if detail else rule.description
            file = f"{rule.file}.csv"
            findings.append(
                Finding(rule.severity, file, int(row), rule.column, value, rule.id, message)
            )
    return findings


def rules_table() -> pd.DataFrame:
    """The rules as a table (id, severity, file, column, description), for the docs."""
    return pd.DataFrame(
        [(r.id, r.severity, f"{r.file}.csv", r.column, r.description) for r in RULES],
        columns=["id", "severity", "file", "column", "description"],
    )
