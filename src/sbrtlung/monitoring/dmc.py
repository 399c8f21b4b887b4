"""The data monitoring committee's report at a data cut (SAP 1.2g): an open part that may be
shared with everyone running the trial and a closed part for the committee alone.

Open part: aggregates only, no outcome and no toxicity: accrual over time and by site against
the planned sample size, screening failures and their reasons, disposition (enrolled, treated,
follow-up status without its causes), data completeness and timeliness by site, protocol
deviations (the gate's WARN findings) and the gate's summary. Closed part: adverse events by
worst grade (treatment-related and all-cause), listings of serious adverse events and of
deaths with their cause, the toxicity monitoring status with its boundary figure, and local
control, PFS and OS as estimated at the cut (descriptive).

Choices where the plan is silent (docs/monitoring.md):

- Expected scans follow the protocol's schedule: one every 3 months after the last SBRT end
  for the first 2 years, then every 6 months (`SCAN_SCHEDULE`), up to the data cut or death;
  a scan is due `GRACE_DAYS` after its scheduled day. A patient is overdue for scans when
  fewer scans were received than are due, and overdue for follow-up when alive and last
  contacted longer ago than the longest allowed scan gap (`quality.max_scan_gap_days`).
- Accrual over time is counted by quarter of accrual from the first enrolment, in study days
  (the days between each enrolment and the data cut), so the report shows no calendar date
  but the cut's.

Both parts are written as Markdown documents of a Quarto project (`write_project`) and rendered
as the paper is (`sbrtlung.manuscript.render`: Quarto where present, pandoc and typst else).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sbrtlung.analysis.stage import analysis_stage
from sbrtlung.analysis.stage import settings as stage_settings
from sbrtlung.manuscript.render import render
from sbrtlung.tables import markdown_table
from sbrtlung.validation.gate import describe

YEAR_DAYS = 365.25
SCAN_SCHEDULE = ((2 * YEAR_DAYS, YEAR_DAYS / 4), (math.inf, YEAR_DAYS / 2))  # (until, every)
GRACE_DAYS = 30
# Columns of numbers printed as text (percentages, intervals), right-aligned like numbers.
RIGHT = {"Of planned", "Received of due", "Estimate", "95% CI", "Value"}
QUARTER_DAYS = YEAR_DAYS / 4
EFFICACY_KEYS = {
    "lcr": "Local control per nodule",
    "pfs": "Progression-free survival",
    "os": "Overall survival",
}


@dataclass(frozen=True)
class Section:
    """A titled part of a report: text and tables (Markdown), and the figures it shows."""

    title: str
    body: str
    figures: tuple[str, ...] = ()


def _table(frame: pd.DataFrame, caption: str) -> str:
    """A captioned table: numbers right-aligned, text left-aligned."""
    align = "".join(
        "r" if pd.api.types.is_numeric_dtype(frame[c]) or c in RIGHT else "l" for c in frame
    )
    return markdown_table(frame.astype(str), align=align, caption=caption)


def scans_due(days_followed: np.ndarray) -> np.ndarray:
    """Scans due by the protocol schedule within each patient's days of follow-up after
    TRTEDT (minus the grace period)."""
    days = np.maximum(np.asarray(days_followed, float) - GRACE_DAYS, 0)
    first_until, first_every = SCAN_SCHEDULE[0]
    early = np.floor(np.minimum(days, first_until) / first_every)
    late = np.floor(np.maximum(days - first_until, 0) / SCAN_SCHEDULE[1][1])
    return (early + late).astype(int)


def accrual(adsl: pd.DataFrame, screening: pd.DataFrame, planned: int) -> Section:
    """Enrolment by quarter of accrual and by site, against the planned sample size."""
    since_first = adsl["DCUTDY"].max() - adsl["DCUTDY"]
    quarter = (since_first // QUARTER_DAYS).astype(int) + 1
    counts = quarter.value_counts().reindex(range(1, quarter.max() + 1), fill_value=0)
    over_time = pd.DataFrame(
        {
            "Quarter of accrual": counts.index,
            "Enrolled": counts.to_numpy(),
            "Cumulative": counts.cumsum().to_numpy(),
            "Of planned": [f"{100 * c / planned:.0f}%" for c in counts.cumsum()],
        }
    )
    sites = sorted(set(screening["site_id"]) | set(adsl["SITEID"]))
    by_site = pd.DataFrame(
        {
            "Site": sites,
            "Screened": screening.groupby("site_id").size().reindex(sites, fill_value=0),
            "Not eligible": screening[screening["eligible"] == "no"]
            .groupby("site_id")
            .size()
            .reindex(sites, fill_value=0),
            "Enrolled": adsl.groupby("SITEID").size().reindex(sites, fill_value=0),
            "Treated": adsl[adsl["SAFFL"]].groupby("SITEID").size().reindex(sites, fill_value=0),
        }
    ).reset_index(drop=True)
    total = by_site.drop(columns="Site").sum()
    by_site.loc[len(by_site)] = ["All sites", *total.to_numpy()]
    text = (
        f"{len(adsl)} of {planned} planned patients enrolled "
        f"({100 * len(adsl) / planned:.0f}%), at {adsl['SITEID'].nunique()} sites.\n\n"
        + _table(over_time, "Enrolment by quarter since the first enrolment.")
        + "\n"
        + _table(by_site, "Screening, enrolment and treatment by site.")
    )
    return Section("Accrual", text)


def screening_failures(screening: pd.DataFrame) -> Section:
    failed = screening[screening["eligible"] == "no"]
    reasons = failed["exclusion_reason"].value_counts().sort_index()
    frame = pd.DataFrame({"Reason": reasons.index.str.replace("_", " "), "Patients": reasons})
    text = f"{len(failed)} of {len(screening)} screened patients were not eligible.\n\n"
    if len(frame):
        text += _table(frame.reset_index(drop=True), "Screening failures by reason.")
    return Section("Screening failures", text)


def disposition(adsl: pd.DataFrame) -> Section:
    """Where the enrolled patients stand, pooled: follow-up ended or not, and no cause."""
    treated = adsl["SAFFL"]
    ended = adsl["DTHFL"] | adsl["LTFUFL"]
    frame = pd.DataFrame(
        {
            "Status": [
                "Enrolled",
                "Treated (at least one fraction)",
                "Not treated",
                "Follow-up ongoing",
                "Follow-up ended (any reason)",
            ],
            "Patients": [
                len(adsl),
                int(treated.sum()),
                int((~treated).sum()),
                int((treated & ~ended).sum()),
                int((treated & ended).sum()),
            ],
        }
    )
    return Section("Disposition", _table(frame, "Disposition of the enrolled patients."))


def completeness(adsl: pd.DataFrame, max_gap_days: float) -> Section:
    """Expected against received scans and overdue forms, by site."""
    saf = adsl[adsl["SAFFL"]].copy()
    end = saf["DTHDY"].where(saf["DTHFL"], saf["DCUTDY"]).astype(float)
    saf["due"] = scans_due((end - saf["TRTEDY"].astype(float)).to_numpy())
    saf["received"] = saf["NSCAN"].astype(int)
    saf["scan_overdue"] = saf["received"] < saf["due"]
    silent = saf["DCUTDY"].astype(float) - saf["LSTCNTDY"].astype(float)
    saf["contact_overdue"] = ~saf["DTHFL"] & (silent > max_gap_days)
    rows = saf.groupby("SITEID").agg(
        due=("due", "sum"),
        received=("received", "sum"),
        scan_overdue=("scan_overdue", "sum"),
        contact_overdue=("contact_overdue", "sum"),
        patients=("USUBJID", "size"),
    )
    rows.loc["All sites"] = rows.sum()
    frame = pd.DataFrame(
        {
            "Site": rows.index,
            "Treated": rows["patients"].to_numpy(),
            "Scans due": rows["due"].to_numpy(),
            "Scans received": rows["received"].to_numpy(),
            "Received of due": [
                f"{100 * r / d:.0f}%" if d else "–"
                for r, d in zip(rows["received"], rows["due"], strict=True)
            ],
            "Patients with scans overdue": rows["scan_overdue"].to_numpy(),
            "Patients with follow-up overdue": rows["contact_overdue"].to_numpy(),
        }
    )
    text = (
        "Scans are due every 3 months after the last SBRT end for 2 years, then every 6 "
        f"months, each {GRACE_DAYS} days after its scheduled day, until the data cut or "
        "the end of follow-up. "
        "Follow-up is overdue for a living patient last contacted more than "
        f"{max_gap_days:g} days before the data cut.\n\n"
        + _table(frame, "Data completeness and timeliness by site.")
    )
    return Section("Data completeness and timeliness", text)


def deviations(findings: pd.DataFrame) -> tuple[Section, Section]:
    """Protocol deviations (WARN findings by rule) and the gate's summary."""
    warn = findings[findings["severity"] == "WARN"]
    by_rule = warn.groupby("rule").size().reset_index(name="Findings")
    by_rule.insert(1, "Description", by_rule["rule"].map(describe))
    by_rule = by_rule.rename(columns={"rule": "Rule"})
    text = (
        "No WARN finding."
        if by_rule.empty
        else _table(by_rule, "Protocol deviations and data-quality findings (WARN) by rule.")
    )
    counts = findings.groupby("severity").size().reindex(["FATAL", "WARN"], fill_value=0)
    summary = (
        f"The delivery passed the validation gate: {counts['FATAL']} FATAL and "
        f"{counts['WARN']} WARN findings in {findings['file'].nunique()} files "
        "(every finding: results/validation/report.md)."
    )
    return Section("Protocol deviations", text), Section("Validation gate", summary)


def adverse_events(worst_grade: pd.DataFrame) -> Section:
    parts = []
    for subset, words in (("treatment-related", "Treatment-related"), ("all-cause", "All-cause")):
        rows = worst_grade[(worst_grade["subset"] == subset) & (worst_grade["phase"] == "all")]
        frame = rows[
            ["term", "grade1", "grade2", "grade3", "grade4", "grade5", "any", "grade3plus"]
        ].rename(columns={"term": "Term", "grade3plus": "grade ≥3"})
        n = int(rows["N"].iloc[0]) if len(rows) else 0
        parts.append(
            _table(
                frame.assign(Term=frame["Term"].str.replace("_", " ")),
                f"{words} adverse events by worst grade, patients of {n} treated.",
            )
        )
    return Section("Adverse events by worst grade", "\n".join(parts))


def listings(adae: pd.DataFrame, adsl: pd.DataFrame) -> tuple[Section, Section]:
    """Serious adverse events and deaths with their cause, by patient."""
    start = adsl.set_index("USUBJID")["TRTSDY"]
    serious = adae[adae["AESER"]].sort_values(["USUBJID", "ASTDY"], kind="stable")
    sae = pd.DataFrame(
        {
            "Patient": serious["USUBJID"],
            "Term": serious["AETERM"].str.replace("_", " "),
            "Grade": serious["AETOXGR"],
            "Attribution": serious["AEREL"],
            "Onset (days from SBRT)": serious["ASTDY"] - serious["USUBJID"].map(start),
        }
    )
    dead = adsl[adsl["DTHFL"]].sort_values("USUBJID")
    deaths = pd.DataFrame(
        {
            "Patient": dead["USUBJID"],
            "Death (days from SBRT)": (dead["DTHDY"] - dead["TRTSDY"]).astype("Int64"),
            "Cause": dead["DTHCAUS"].fillna("").str.replace("_", " "),
        }
    )
    none = "None."
    return (
        Section(
            "Serious adverse events", _table(sae, "Serious adverse events.") if len(sae) else none
        ),
        Section("Deaths", _table(deaths, "Deaths and their cause.") if len(deaths) else none),
    )


def toxicity(status: dict, figure: str) -> Section:
    """The toxicity monitoring status and its boundary figure."""
    frame = pd.DataFrame(
        {
            "Quantity": [
                "Evaluable patients",
                "Patients with grade ≥3 TRAE in the window",
                "Boundary at this n",
                "Boundary crossed",
                "Nominal level c",
                "P(cross by N) at p0",
                "P(cross by N) at p1",
                "Expected evaluable n at stopping, p0",
                "Expected evaluable n at stopping, p1",
            ],
            "Value": [
                status["evaluable"],
                status["events"],
                status["boundary"],
                "yes" if status["crossed"] else "no",
                f"{status['nominal_level']:.4f}",
                f"{status['p_cross_p0']:.3f}",
                f"{status['p_cross_p1']:.3f}",
                f"{status['expected_n_p0']:.1f}",
                f"{status['expected_n_p1']:.1f}",
            ],
        }
    )
    text = (
        (
            "**The boundary has been crossed**: a signal to the committee, not an automatic "
            "stop.\n\n"
            if status["crossed"]
            else ""
        )
        + _table(frame, "Continuous toxicity monitoring (SAP 1.2g).")
        + f"\n![Patients with a grade ≥3 TRAE against evaluable patients, with the boundary]"
        f"({Path(figure).name}){{width=80%}}\n"
    )
    return Section("Toxicity monitoring", text, (figure,))


def efficacy(rates: pd.DataFrame) -> Section:
    rows = rates[rates["key"].isin(list(EFFICACY_KEYS))]
    frame = pd.DataFrame(
        {
            "Endpoint": rows["key"].map(EFFICACY_KEYS),
            "Time": rows["time"],
            "Units at risk": rows["n_at_risk"],
            "Events": rows["n_events_by_time"],
            "Estimate": [f"{100 * x:.1f}%" for x in rows["estimate"]],
            "95% CI": [
                f"{100 * a:.1f}–{100 * b:.1f}"
                for a, b in zip(rows["lower95"], rows["upper95"], strict=True)
            ],
        }
    )
    text = "Descriptive estimates at this data cut; no hypothesis is tested.\n\n" + _table(
        frame, "Local control, PFS and OS at the data cut."
    )
    return Section("Efficacy at the data cut", text)


@dataclass(frozen=True)
class Report:
    """The two documents of the DMC report."""

    open: list[Section]
    closed: list[Section]


def dmc_report(
    *,
    screening: pd.DataFrame,
    adsl: pd.DataFrame,
    adae: pd.DataFrame,
    findings: pd.DataFrame,
    worst_grade: pd.DataFrame,
    rates: pd.DataFrame,
    status: dict,
    figure: str,
    planned: int,
    max_gap_days: float,
) -> Report:
    """Every section of the open and of the closed part."""
    protocol, gate = deviations(findings)
    sae, deaths = listings(adae, adsl)
    return Report(
        open=[
            accrual(adsl, screening, planned),
            screening_failures(screening),
            disposition(adsl),
            completeness(adsl, max_gap_days),
            protocol,
            gate,
        ],
        closed=[
            adverse_events(worst_grade),
            sae,
            deaths,
            toxicity(status, figure),
            efficacy(rates),
        ],
    )


QUARTO = """project:
  type: default
  output-dir: _output
  render:
    - open.qmd
    - closed.qmd
lang: en
format:
  html:
    embed-resources: true
  typst:
    papersize: a4
"""


def document(title: str, sections: list[Section]) -> str:
    """One part as a Quarto document."""
    head = f'---\ntitle: "{title}"\n---\n\n'
    return head + "\n".join(f"# {s.title}\n\n{s.body}\n" for s in sections)


def write_project(report: Report, folder: str | Path, cut: str, stage: str) -> Path:
    """The two parts as a Quarto project in `folder` (with the figures they show)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_quarto.yml").write_text(QUARTO, encoding="utf-8")
    stamp = f"data cut {cut}, {stage} analysis"
    parts = {
        "open": (f"DMC report, open part ({stamp})", report.open),
        "closed": (f"DMC report, closed part: for the committee only ({stamp})", report.closed),
    }
    for stem, (title, sections) in parts.items():
        (folder / f"{stem}.qmd").write_text(document(title, sections), encoding="utf-8")
        for section in sections:
            for figure in section.figures:
                shutil.copyfile(figure, folder / Path(figure).name)
    return folder


def settings(config: dict) -> dict:
    """The config values the DMC report reads: the stage's and the longest scan gap."""
    return stage_settings(config) | {"max_scan_gap_days": config["quality"]["max_scan_gap_days"]}


def render_dmc(
    tables: dict[str, pd.DataFrame],
    results: dict,
    config: dict,
    planned: int,
    folder: str | Path,
    cut: pd.Timestamp,
) -> list[Path]:
    """The DMC report of a data cut, rendered: `tables` the gate's typed tables, `results`
    ADSL, ADAE, the gate's findings, the worst-grade tables, the rates, the toxicity status
    and the path of its figure; `config` its `settings`. The stamp is the data cut the gate
    resolved and the stage of the analysis (`sbrtlung.analysis.stage`)."""
    report = dmc_report(
        screening=tables["screening"],
        adsl=results["adsl"],
        adae=results["adae"],
        findings=results["findings"],
        worst_grade=results["worst_grade"],
        rates=results["rates"],
        status=results["status"],
        figure=results["figure"],
        planned=planned,
        max_gap_days=config["max_scan_gap_days"],
    )
    stage = analysis_stage(config, results["adsl"])
    return render(write_project(report, folder, f"{cut:%Y-%m-%d}", stage))
