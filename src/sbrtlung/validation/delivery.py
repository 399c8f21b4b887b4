"""Whether a delivery is whole, and whether its dates belong to its sites.

Two questions the row-by-row rules cannot answer, each answered only when the configuration
gives what it needs (the built-in synthetic trial gives neither, and nothing changes for it):

- Complete: `sites` lists the study's sites; a site with no screening row is missing (an
  "All data" export made by a REDCap user of one data access group holds that group's
  records only), and a site not listed is unknown. `previous_patients` names the patients of
  the previous data cut; each must be in this one (patients are never removed from a trial's
  data). FATAL, or WARN when `partial_delivery` says the delivery is partial on purpose.
- Dated within its site: a screening, enrolment or SBRT start before the site's first
  screening (`sites: {S01: {first_screening: ...}}`), or a screening after the site's last
  contact (the latest last contact or death of its patients), is FATAL. REDCap's
  de-identified export can shift every record's dates by up to 364 days, which moves them out
  of the site's active period. (An enrolment or SBRT start after the site's last contact is
  after its own patient's last contact or death, which `after_last_contact` and `after_death`
  report; a bound taken from the delivery's own earliest screening would only repeat
  `screening_after_enrollment`.)
"""

import csv
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sbrtlung.validation.findings import MAX_ROWS_LISTED, Finding, Severity

Tables = Mapping[str, pd.DataFrame]

RULE_DESCRIPTIONS = {
    "site_missing": "a site of the study (config sites) has no screening row in the delivery",
    "site_unknown": "a site_id that is not one of the study's sites (config sites)",
    "patient_missing": "a patient of the previous data cut (config previous_patients) is missing",
    "outside_site_period": (
        "a screening, enrolment or SBRT date before the site's first screening (config "
        "sites; a date-shifted export?)"
    ),
    "screening_after_site_contact": (
        "a screening after the last contact of every patient of its site (a date-shifted "
        "export, or follow-up not yet entered at an interim cut)"
    ),
}
# Dates that must lie within their site's active period, and how to find each row's site.
SITE_DATES = (
    ("screening", "screening_date"),
    ("patients", "enrollment_date"),
    ("sbrt", "start_date"),
)


# The config values of these checks; none is set for the built-in synthetic trial.
KEYS = ("sites", "previous_patients", "partial_delivery")


def settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config values these checks read, those that are set (the gate's params)."""
    return {key: config[key] for key in KEYS if config.get(key) is not None}


class DeliveryError(ValueError):
    """A configured list of the previous cut's patients that cannot be read."""


def findings(
    tables: Tables, config: Mapping[str, Any], refused: Collection[tuple[str, str]] = ()
) -> list[Finding]:
    """The completeness and site-period findings of a delivery; a check whose columns were
    not read, or hold values the column contract refused, is skipped (that is the root cause)."""
    usable = {
        (stem, column)
        for stem, table in tables.items()
        for column in table.columns
        if (stem, column) not in refused
    }
    out: list[Finding] = []
    severity: Severity = "WARN" if config.get("partial_delivery") else "FATAL"
    sites = config.get("sites")
    if sites and ("screening", "site_id") in usable:
        out += _sites(tables["screening"], dict(sites), severity)
    if config.get("previous_patients") and ("patients", "patient_id") in usable:
        out += _previous(tables["patients"], config["previous_patients"], severity)
    out += _site_period(tables, dict(sites or {}), usable)
    return out


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_ROWS_LISTED])
    more = len(items) - MAX_ROWS_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def _sites(screening: pd.DataFrame, sites: dict[str, Any], severity: Severity) -> list[Finding]:
    delivered = screening["site_id"].dropna()
    present = set(delivered)
    missing = [site for site in sorted(sites) if site not in present]
    out = []
    if missing:
        message = (
            f"{RULE_DESCRIPTIONS['site_missing']}: {_listed(missing)} ("
            f"{len(missing)} of {len(sites)} sites); an export made by a user in one REDCap "
            "data access group holds only that group's records. Export as a user in no group, "
            "or set partial_delivery: true if the delivery is partial on purpose"
        )
        out.append(Finding(severity, "screening.csv", 0, "site_id", "", "site_missing", message))
    for site, rows in delivered[~delivered.isin(list(sites))].groupby(delivered, sort=True):
        known = _listed(sorted(sites))
        message = f"{RULE_DESCRIPTIONS['site_unknown']}: the study's sites are {known}"
        out += [
            Finding("FATAL", "screening.csv", int(row), "site_id", site, "site_unknown", message)
            for row in rows.index
        ]
    return out


def config_problem(config: Mapping[str, Any]) -> str | None:
    """Why the configured list of the previous cut's patients cannot be used, or None."""
    try:
        if config.get("previous_patients"):
            previous_patient_ids(config["previous_patients"])
    except DeliveryError as error:
        return str(error)
    return None


def previous_patient_ids(path: str | Path) -> list[str]:
    """The patient_id column of the previous cut's CSV file, or DeliveryError saying why not."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if "patient_id" not in (reader.fieldnames or []):
                raise DeliveryError(f"previous_patients {path}: no patient_id column")
            return [row["patient_id"] for row in reader if row["patient_id"]]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DeliveryError(f"previous_patients {path}: cannot be read ({error})") from None


def _previous(patients: pd.DataFrame, path: str, severity: Severity) -> list[Finding]:
    previous = previous_patient_ids(path)
    present = set(patients["patient_id"].dropna())
    missing = sorted({p for p in previous if p not in present})
    if not missing:
        return []
    message = (
        f"{RULE_DESCRIPTIONS['patient_missing']}: {_listed(missing)} ({len(missing)} of "
        f"{len(set(previous))} patients of the previous cut, {len(present)} in this one); a "
        "patient's data are never removed from a trial. Export all records, or set "
        "partial_delivery: true if the delivery is partial on purpose"
    )
    return [Finding(severity, "patients.csv", 0, "patient_id", "", "patient_missing", message)]


def _site_period(
    tables: Tables, sites: dict[str, Any], usable: set[tuple[str, str]]
) -> list[Finding]:
    needed = {
        ("screening", "site_id"),
        ("screening", "screening_date"),
        ("patients", "patient_id"),
        ("patients", "site_id"),
    }
    if not needed <= usable:
        return []
    patients = tables["patients"]
    first = pd.Series(
        {
            site: pd.Timestamp(spec["first_screening"])
            for site, spec in sites.items()
            if spec and spec.get("first_screening")
        },
        dtype="datetime64[ns]",
    )
    site_of = patients.dropna(subset=["patient_id"]).drop_duplicates("patient_id", keep=False)
    site_of = site_of.set_index("patient_id")["site_id"]
    last = pd.Series(dtype="datetime64[ns]")
    if {("follow_up", "patient_id"), ("follow_up", "last_contact_date")} <= usable:
        follow_up = tables["follow_up"]
        dated = [c for c in ("last_contact_date", "death_date") if ("follow_up", c) in usable]
        contact = follow_up[dated].max(axis=1)
        last = contact.groupby(follow_up["patient_id"].map(site_of)).max()
    out = []
    for stem, column in SITE_DATES:
        if (stem, column) not in usable or stem not in tables:
            continue
        table = tables[stem]
        if stem == "screening":
            site = table["site_id"]
        elif (stem, "patient_id") in usable:
            site = table["patient_id"].map(site_of)
        else:
            continue
        dates = table[column]
        early = dates.lt(site.map(first))
        late = dates.gt(site.map(last)) & (stem == "screening")
        for row in table.index[(early | late).fillna(False).to_numpy(dtype=bool)]:
            where = site[row]
            shifted = (
                "a date-shifted export (REDCap's de-identification option 'shift all dates') "
                "moves dates out of the site's active period: export the dates unshifted"
            )
            if early[row]:
                severity, rule = "FATAL", "outside_site_period"
                bound = (
                    f"before the first screening of site {where}, {first[where]:%Y-%m-%d} "
                    f"(config sites); {shifted}"
                )
            else:
                # WARN: at an interim cut a site screens while its follow-up is still to be
                # entered, so a late screening alone does not prove a shift.
                severity, rule = "WARN", "screening_after_site_contact"
                bound = (
                    f"after the last contact of site {where}, {last[where]:%Y-%m-%d}; unless "
                    f"the site's follow-up is still to be entered, {shifted}"
                )
            out.append(
                Finding(
                    severity,
                    f"{stem}.csv",
                    int(row),
                    column,
                    f"{dates[row]:%Y-%m-%d}",
                    rule,
                    f"{column} {dates[row]:%Y-%m-%d} is {bound}",
                )
            )
    return out
