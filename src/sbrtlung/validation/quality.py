"""Data quality and protocol deviations, summarised from the validation findings.

The validation gate lists every finding (one row each, `sbrtlung.validation.findings`); this module
counts them for the paper's supplement, as one `Table`:

- protocol deviations: the WARN rules that describe how the protocol was carried out
  (incomplete or long courses, lab samples out of window or missing, scan gaps, patients
  never scanned), each with its number of findings and of distinct patients;
- findings by severity and rule: every rule of the contract (zero rows included, so the
  table also documents what was checked), plus any other check that reported a finding,
  with a total per severity.

A finding is attributed to the patient on its row of the validated table (row 1 = first
data row); a missing analyte, reported on row 0, names its patient first in its value. A
finding that names no patient (a screening row without patient_id, a file-level finding)
counts in `findings` but not in `patients`.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sbrtlung.formatter import Kind, number
from sbrtlung.study import Horizon
from sbrtlung.tables import Table, markdown_table
from sbrtlung.validation.checks import rules_table
from sbrtlung.validation.findings import COLUMNS as FINDING_COLUMNS
from sbrtlung.validation.gate import describe

SEVERITIES = ("FATAL", "WARN")
COLUMNS = ["section", "severity", "rule", "label", "counted", "findings", "patients"]


@dataclass(frozen=True)
class Deviation:
    """A protocol deviation: the WARN rule that detects it, what one finding counts."""

    rule: str
    label: str
    counted: str


def deviations_list(quality: Mapping[str, Any], horizon: Horizon) -> tuple[Deviation, ...]:
    """The deviations of the summary, labelled with the configured thresholds (the config's
    `quality`) and the horizon within which scans are planned."""
    gap_months = quality["max_scan_gap_days"] / horizon.month_days
    return (
        Deviation(
            "incomplete_course",
            "Incomplete SBRT course (fewer fractions delivered than planned)",
            "courses",
        ),
        Deviation(
            "long_course",
            f"SBRT course longer than {quality['max_course_days']} days (both ends counted)",
            "courses",
        ),
        Deviation(
            "lab_out_of_window", "Laboratory value sampled outside its time window", "lab values"
        ),
        Deviation(
            "scan_gap",
            f"More than {number(gap_months, Kind.NUMBER, decimals=0)} months between "
            f"consecutive scans within {horizon.years_label} "
            "of the first SBRT",
            "gaps",
        ),
        Deviation("no_follow_up_scan", "Treated patient without a follow-up scan", "patients"),
        Deviation(
            "missing_analyte",
            "Analyte missing at a sampled laboratory timepoint",
            "analytes at a timepoint",
        ),
    )


def read_findings(path: str | Path) -> pd.DataFrame:
    """The findings CSV of the gate, every cell as written (values stay text)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame[FINDING_COLUMNS].astype({"row": "int64"})


def finding_patients(findings: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """The patient_id each finding is about, missing when it names none."""

    def patient(file: str, row: int, rule: str, value: str) -> str | None:
        if rule == "missing_analyte":
            return value.split(", ")[0]
        table = tables.get(Path(file).stem)
        if table is None or "patient_id" not in table or not 1 <= row <= len(table):
            return None
        found = table["patient_id"].iloc[row - 1]
        return None if pd.isna(found) else found

    patients = [patient(f.file, f.row, f.rule, f.value) for f in findings.itertuples(index=False)]
    return pd.Series(patients, index=findings.index, dtype=object)


def _sentence(text: str) -> str:
    """Capitalised, unless it starts with a column name (kept as spelled)."""
    first = text.split(" ", 1)[0]
    return text if "_" in first else text[:1].upper() + text[1:]


def _counts(patients: pd.Series, mask: pd.Series) -> dict[str, int]:
    return {"findings": int(mask.sum()), "patients": int(patients[mask].nunique())}


def data_quality(
    findings: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    quality: Mapping[str, Any],
    horizon: Horizon,
) -> Table:
    """Protocol deviations and findings by severity and rule, as one frame and Markdown."""
    patients = finding_patients(findings, tables)
    records = []
    for d in deviations_list(quality, horizon):
        mask = findings["rule"] == d.rule
        counts = _counts(patients, mask)
        records.append(
            {"section": "deviation", "severity": "WARN", "rule": d.rule, "label": d.label}
            | {"counted": d.counted}
            | counts
        )
    declared = rules_table().drop_duplicates("id")
    for severity in SEVERITIES:
        of_severity = findings["severity"] == severity
        ids = declared.loc[declared["severity"] == severity, "id"].tolist()
        ids += sorted(set(findings.loc[of_severity, "rule"]) - set(ids))
        records.append(
            {"section": "rule", "severity": severity, "rule": "any"}
            | {"label": f"Any {severity} finding", "counted": ""}
            | _counts(patients, of_severity)
        )
        for rule in ids:
            mask = of_severity & (findings["rule"] == rule)
            records.append(
                {
                    "section": "rule",
                    "severity": severity,
                    "rule": rule,
                    "label": _sentence(describe(rule)),
                }
                | {"counted": ""}
                | _counts(patients, mask)
            )
    frame = pd.DataFrame(records, columns=COLUMNS)
    return Table(frame, _markdown(frame))


SNAKE_CASE = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")


def _code(name: str) -> str:
    """A rule id of the data contract, set as code: it names a rule, it is not prose."""
    return f"`{name}`"


def _code_names(text: str) -> str:
    """A description with the contract's column names (`patient_id`) set as code."""
    return SNAKE_CASE.sub(r"`\1`", text)


def _markdown(frame: pd.DataFrame) -> str:
    deviations = frame[frame["section"] == "deviation"]
    shown = pd.DataFrame(
        {
            "Protocol deviation": deviations["label"],
            "Unit counted": deviations["counted"],
            "Findings": deviations["findings"],
            "Patients": deviations["patients"],
        }
    )
    rules = frame[frame["section"] == "rule"]
    listed = pd.DataFrame(
        {
            "Severity": rules["severity"],
            "Rule": rules["rule"].map(_code),
            "Description": rules["label"].map(_code_names),
            "Findings": rules["findings"],
            "Patients": rules["patients"],
        }
    )
    deviations_caption = (
        "Protocol deviations found by the data-quality checks of the raw exports: number of "
        "findings and of distinct patients concerned."
    )
    rules_caption = (
        "Findings of the data-quality checks by severity and rule (every rule listed; FATAL "
        "findings stop the analysis, WARN findings are reviewed and the analysis goes on). "
        "Patients: distinct patients named by the findings."
    )
    return (
        markdown_table(shown, "llrr", deviations_caption, "tbl-deviations")
        + "\n"
        + markdown_table(listed, "lllrr", rules_caption, "tbl-quality-rules")
    )
