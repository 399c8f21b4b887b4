"""The validation gate: raw exports in, typed tables and every data-quality finding out.

`validate_exports` runs the three reading layers of `sbrtlung.validation.exports` and then the
rules of `sbrtlung.validation.checks`, all of them whatever the others found, so a data manager
sees every problem of a delivery in one report. A cell already rejected while reading
(unparseable or against its column contract) is not reported again by a rule.

Any FATAL finding stops the pipeline: `python -m sbrtlung.validation.gate RAW_DIR` prints a
short summary on standard error and exits 1; WARN findings only go to the report. The report and
the findings CSV are byte-identical for the same input and study period (no timestamps, stable
order; the day of the run matters only as the data cut of real exports without `data_cut`, and
the report then says so). Both are safe to open: the CSV neutralises cells a spreadsheet would
run as a formula, the Markdown report escapes markup.
"""

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pyarrow
import pyarrow.parquet as parquet
import yaml

from sbrtlung import config as configuration
from sbrtlung import console
from sbrtlung.redcap import metadata
from sbrtlung.redcap.locate import located
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.study import StudyPeriod
from sbrtlung.validation import delivery
from sbrtlung.validation.checks import RULES, run_rules
from sbrtlung.validation.exports import describe_rule, read_exports
from sbrtlung.validation.findings import Finding, read_findings, to_frame
from sbrtlung.validation.formulas import FORMULA_START
from sbrtlung.validation.period import analysis_period, study_period
from sbrtlung.validation.period import check as period_problem
from sbrtlung.validation.period import settings as period_settings

_ARROW_TYPES = {
    "str": pyarrow.string(),
    "Int64": pyarrow.int64(),
    "float64": pyarrow.float64(),
    "datetime64[ns]": pyarrow.timestamp("ns"),
}
_DESCRIPTIONS = (
    {rule.id: rule.description for rule in RULES}
    | delivery.RULE_DESCRIPTIONS
    | metadata.RULE_DESCRIPTIONS
)
# Findings of one rule and file shown in the Markdown report; the CSV has every finding.
REPORT_LIMIT = 1000
# Markdown and HTML markup in a table cell; an underscore only where it could start emphasis.
_MARKUP = re.compile(r"[\\`*\[\]<>&|~$@]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


# The config values the checks read besides the period's (`checks.run_rules`).
CHECK_KEYS = ("horizon_days", "lab_windows", "quality")


def settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config values the gate reads: those of its checks, of the delivery's completeness
    (`delivery.settings`) and of the study period, so that no other setting reruns it."""
    return {
        **period_settings(config),
        **delivery.settings(config),
        **{key: config[key] for key in CHECK_KEYS},
    }


def validate_exports(
    folder: str | Path,
    config: Mapping[str, Any],
    period: StudyPeriod | None = None,
    extra: Sequence[Finding] = (),
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Typed tables (index = row number in the file) and the findings frame of one folder.

    Dates are checked against `period`, by default the configured one
    (`sbrtlung.validation.period`); `extra` findings (those of the REDCap split's data
    dictionary) join the report.
    """
    period = period or study_period(config)
    tables, findings = read_exports(folder)
    rejected = {(f.file, f.row, f.column) for f in findings if f.row > 0}
    refused = {
        (Path(f.file).stem, f.column)
        for f in findings
        if f.row > 0 and not f.rule.startswith("unique")
    }
    checked = run_rules(tables, config, period, refused) + delivery.findings(
        tables, config, refused
    )
    findings += [f for f in checked if (f.file, f.row, f.column) not in rejected]
    return tables, to_frame([*findings, *extra])


def write_findings(findings: pd.DataFrame, path: str | Path) -> None:
    """The findings as CSV, every cell that could start a spreadsheet formula prefixed with a
    single quote (OWASP's advice on CSV injection): the value stays readable and inert."""
    safe = findings.astype(str)
    for name in safe.columns:
        cells = safe[name]
        safe[name] = cells.mask(cells.str.startswith(FORMULA_START), "'" + cells)
    safe.to_csv(path, index=False, lineterminator="\n")


def describe(rule: str) -> str:
    """Plain-words description of any rule id or rule text a finding can carry."""
    return _DESCRIPTIONS.get(rule) or describe_rule(rule)


def _cell(value: Any) -> str:
    """A value safe inside a Markdown table cell: markup escaped, on one line."""
    text = _MARKUP.sub(lambda match: "\\" + match[0], str(value))
    return " ".join(text.splitlines())


def _table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return lines


def report_markdown(
    findings: pd.DataFrame, tables: Mapping[str, pd.DataFrame], period: StudyPeriod
) -> str:
    """The data-quality report: verdict, study period, rows per file, findings by rule, and
    the findings themselves (at most REPORT_LIMIT per rule and file; the CSV has them all)."""
    counts = findings["severity"].value_counts()
    fatal, warn = int(counts.get("FATAL", 0)), int(counts.get("WARN", 0))
    verdict = "FAIL" if fatal else "PASS"
    lines = [
        "# Data-quality report of the raw exports",
        "",
        f"**Verdict: {verdict}** - {fatal} FATAL and {warn} WARN findings.",
        "",
        "FATAL findings stop the analysis: correct them in the exports and deliver again. "
        "WARN findings are listed for review; the analysis goes on with them. Row 1 is the "
        "first data row of a file; row 0 is the file or its header.",
        "",
        f"Dates are checked against the study period: from {period.start:%Y-%m-%d} "
        f"({_cell(period.start_source)}; a surgery from {period.earliest_surgery:%Y-%m-%d}) "
        f"to the data cut {period.cut:%Y-%m-%d} ({_cell(period.cut_source)}).",
        "",
        "## Rows read per file",
        "",
    ]
    rows = pd.DataFrame(
        {
            "file": [f"{stem}.csv" for stem in EXPORTS],
            "rows": [str(len(tables[s])) if s in tables else "not read" for s in EXPORTS],
        }
    )
    lines += _table(rows)
    lines += ["", "## Findings by rule", ""]
    if findings.empty:
        lines.append("No findings.")
    else:
        summary = (
            findings.groupby(["severity", "rule", "file"]).size().rename("findings").reset_index()
        )
        summary["description"] = summary["rule"].map(describe)
        lines += _table(summary)
    detail = ["file", "row", "column", "value", "rule", "message"]
    for severity in ("FATAL", "WARN"):
        selected = findings.loc[findings["severity"] == severity, detail]
        shown = selected.groupby(["file", "rule"], sort=False).head(REPORT_LIMIT)
        lines += ["", f"## {severity} findings ({len(selected)})", ""]
        lines += _table(shown) if len(shown) else ["None."]
        if len(shown) < len(selected):
            lines += [
                "",
                f"{len(selected) - len(shown)} more {severity} findings are not shown (at most "
                f"{REPORT_LIMIT} per rule and file); report.csv lists every finding.",
            ]
    return "\n".join(lines) + "\n"


def fatal_summary(findings: pd.DataFrame, limit: int = 10, report: str | None = None) -> str:
    """A few lines for standard error: the verdict, the first FATAL findings, the report path."""
    fatal = findings[findings["severity"] == "FATAL"]
    warn = int((findings["severity"] == "WARN").sum())
    if fatal.empty:
        lines = [f"validation passed: 0 FATAL, {warn} WARN findings"]
    else:
        lines = [f"validation FAILED: {len(fatal)} FATAL, {warn} WARN findings"]
        for f in fatal.head(limit).itertuples(index=False):
            lines.append(
                f"  {f.file} row {f.row} column {f.column or '-'} value {f.value!r}: "
                f"{f.rule} - {f.message}"
            )
        if len(fatal) > limit:
            lines.append(f"  ... and {len(fatal) - limit} more FATAL findings")
    if report:
        lines.append(f"full report: {report}")
    return "\n".join(lines)


class GateFailed(Exception):
    """The delivery has a FATAL finding; the message is `fatal_summary`'s."""


@dataclass(frozen=True)
class Checked:
    """A delivery through the gate: its typed tables, every finding, the study period."""

    tables: dict[str, pd.DataFrame]
    findings: pd.DataFrame
    period: StudyPeriod


def check(
    folder: str | Path, config: Mapping[str, Any], row_maps: list[str], notes: Sequence[str] = ()
) -> Checked:
    """`validate_exports` in the configured study period, each finding located in REDCap
    when the delivery was split from a REDCap export (`row_maps`: the split's row map;
    `notes`: the split's findings on the data dictionary)."""
    period = study_period(config)
    extra = [f for path in notes for f in read_findings(path)]
    tables, findings = validate_exports(folder, config, period, extra)
    return Checked(tables, located(findings, row_maps), period)


@dataclass(frozen=True)
class Report:
    """What the validation_report rule writes: every finding, and the readable report."""

    findings: pd.DataFrame
    markdown: str


def report(
    folder: str | Path, config: Mapping[str, Any], row_maps: list[str], notes: Sequence[str] = ()
) -> Report:
    """Every finding of a delivery and its report (`report_markdown`), FATAL or not."""
    checked = check(folder, config, row_maps, notes)
    markdown = report_markdown(checked.findings, checked.tables, checked.period)
    return Report(checked.findings, markdown)


def passed(
    folder: str | Path,
    config: Mapping[str, Any],
    row_maps: list[str],
    report: str,
    notes: Sequence[str] = (),
) -> Checked:
    """A delivery without a FATAL finding: its typed tables and the study period of the
    analysis (`period.analysis_period`), which the gate writes for ADSL and everything after
    it. Otherwise `GateFailed`, whose message shows the first 25 FATAL findings and names the
    full `report`."""
    checked = check(folder, config, row_maps, notes)
    if (checked.findings["severity"] == "FATAL").any():
        raise GateFailed(fatal_summary(checked.findings, limit=25, report=report))
    return replace(checked, period=analysis_period(checked.period, checked.tables))


def raw_dir_problem(raw_dir: str | Path) -> str | None:
    """Why a folder of exports cannot be read, in one line, or None when it can."""
    folder = Path(raw_dir)
    if not folder.exists():
        return f"raw_dir {raw_dir} does not exist"
    if not folder.is_dir():
        return f"raw_dir {raw_dir} is not a folder (it should hold the nine CSV exports)"
    try:
        next(folder.iterdir(), None)
    except OSError as error:
        return f"raw_dir {raw_dir} cannot be read: {error.strerror}"
    return None


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> None:
    """One parquet file per export, typed as its model declares, rows in file order, no index.

    Called only when the gate passed, so every export has a table; a missing one is a bug.
    """
    missing = [stem for stem in EXPORTS if stem not in tables]
    if missing:
        raise ValueError(f"no validated table of {', '.join(missing)}: the gate cannot pass")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, model in EXPORTS.items():
        columns = model.to_schema().columns
        frame = tables[stem].reset_index(drop=True)
        schema = pyarrow.schema(
            [(name, _ARROW_TYPES[str(columns[name].dtype)]) for name in frame.columns]
        )
        table = pyarrow.Table.from_pandas(frame, schema=schema, preserve_index=False)
        parquet.write_table(table, folder / f"{stem}.parquet")


PROGRAM = "python -m sbrtlung.validation.gate"


class Stopped(Exception):
    """What stops the command before the gate runs (its arguments or configuration), in one
    line."""


def main(argv: list[str] | None = None) -> int:
    """Validate a folder of exports; exit status 1 when any finding is FATAL, 2 when the
    command cannot run (a bad argument or configuration, or an error no rule foresaw)."""
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument("raw_dir", help="folder of the nine raw CSV exports")
    parser.add_argument("--config", help="workflow config file (default: schema defaults)")
    parser.add_argument("--report", help="write the Markdown data-quality report here")
    parser.add_argument("--findings", help="write every finding as CSV here")
    parser.add_argument("--tables", help="write the typed parquet tables here if no FATAL")
    parser.add_argument("--limit", type=int, default=10, help="FATAL findings shown on stderr")
    parser.add_argument("--data-cut", help="data cut YYYY-MM-DD (required, or config data_cut)")
    parser.add_argument("--study-start", help="study start YYYY-MM-DD (required, or config)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except Stopped as error:
        print(f"{PROGRAM}: {console.one_line(str(error))}", file=sys.stderr)
    except Exception as error:
        print(console.unexpected(PROGRAM, args.raw_dir, error), file=sys.stderr)
    return 2


def command_config(
    path: str | None, raw_dir: str, data_cut: str | None, study_start: str | None
) -> dict[str, Any]:
    """The configuration of a command-line check: the config file's (or the defaults), the
    folder and the study period given on the command line; `Stopped` saying what is wrong."""
    problem = raw_dir_problem(raw_dir)
    if problem:
        raise Stopped(problem)
    try:
        config = configuration.load(path)
    except (OSError, yaml.YAMLError) as error:
        raise Stopped(f"config {path}: cannot be read ({error})") from None
    except jsonschema.ValidationError as error:
        raise Stopped(f"config {path}: {error.message}") from None
    config["raw_dir"] = raw_dir
    config["data_cut"] = data_cut or config["data_cut"]
    config["study_start"] = study_start or config["study_start"]
    problem = (
        configuration.missing_period(config)
        or period_problem(config)
        or delivery.config_problem(config)
    )
    if problem:
        raise Stopped(problem)
    return config


def _run(args: argparse.Namespace) -> int:
    config = command_config(args.config, args.raw_dir, args.data_cut, args.study_start)
    period = study_period(config)
    tables, findings = validate_exports(args.raw_dir, config, period)
    if args.report:
        Path(args.report).write_text(report_markdown(findings, tables, period), encoding="utf-8")
    if args.findings:
        write_findings(findings, args.findings)
    failed = bool((findings["severity"] == "FATAL").any())
    if args.tables and not failed:
        write_tables(tables, args.tables)
    print(fatal_summary(findings, args.limit, args.report), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
