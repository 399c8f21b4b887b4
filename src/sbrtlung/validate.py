"""The validation gate: raw exports in, typed tables and every data-quality finding out.

`validate_exports` runs the three reading layers of `sbrtlung.exports` and then the rules of
`sbrtlung.rules`, all of them whatever the others found, so a data manager sees every
problem of a delivery in one report. A cell already rejected while reading (unparseable or
against its column contract) is not reported again by a rule.

Any FATAL finding stops the pipeline: `python -m sbrtlung.validate RAW_DIR` prints a short
summary on standard error and exits 1; WARN findings only go to the report. The report and
the findings CSV are byte-identical for the same input (no timestamps, stable order).
"""

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow
import pyarrow.parquet as parquet

from sbrtlung import config as configuration
from sbrtlung.exports import describe_rule, read_exports
from sbrtlung.findings import to_frame
from sbrtlung.rules import RULES, run_rules
from sbrtlung.schemas.raw import EXPORTS

_ARROW_TYPES = {
    "str": pyarrow.string(),
    "Int64": pyarrow.int64(),
    "float64": pyarrow.float64(),
    "datetime64[ns]": pyarrow.timestamp("ns"),
}
_DESCRIPTIONS = {rule.id: rule.description for rule in RULES}


def validate_exports(
    folder: str | Path, config: Mapping[str, Any]
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Typed tables (index = row number in the file) and the findings frame of one folder."""
    tables, findings = read_exports(folder)
    rejected = {(f.file, f.row, f.column) for f in findings if f.row > 0}
    findings += [f for f in run_rules(tables, config) if (f.file, f.row, f.column) not in rejected]
    return tables, to_frame(findings)


def describe(rule: str) -> str:
    """Plain-words description of any rule id or rule text a finding can carry."""
    return _DESCRIPTIONS.get(rule) or describe_rule(rule)


def _cell(value: Any) -> str:
    """A value safe inside a Markdown table cell."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.splitlines()) if text else ""


def _table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return lines


def report_markdown(findings: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> str:
    """The data-quality report: verdict, rows per file, findings by rule, every finding."""
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
        lines += ["", f"## {severity} findings ({len(selected)})", ""]
        lines += _table(selected) if len(selected) else ["None."]
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


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> None:
    """One parquet file per export, typed as its model declares, rows in file order, no index."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, model in EXPORTS.items():
        if stem not in tables:
            continue
        columns = model.to_schema().columns
        frame = tables[stem].reset_index(drop=True)
        schema = pyarrow.schema(
            [(name, _ARROW_TYPES[str(columns[name].dtype)]) for name in frame.columns]
        )
        table = pyarrow.Table.from_pandas(frame, schema=schema, preserve_index=False)
        parquet.write_table(table, folder / f"{stem}.parquet")


def main(argv: list[str] | None = None) -> int:
    """Validate a folder of exports; exit status 1 when any finding is FATAL."""
    parser = argparse.ArgumentParser(prog="python -m sbrtlung.validate", description=__doc__)
    parser.add_argument("raw_dir", help="folder of the nine raw CSV exports")
    parser.add_argument("--config", help="workflow config file (default: schema defaults)")
    parser.add_argument("--report", help="write the Markdown data-quality report here")
    parser.add_argument("--findings", help="write every finding as CSV here")
    parser.add_argument("--tables", help="write the typed parquet tables here if no FATAL")
    parser.add_argument("--limit", type=int, default=10, help="FATAL findings shown on stderr")
    args = parser.parse_args(argv)
    if not Path(args.raw_dir).is_dir():
        parser.error(f"not a folder: {args.raw_dir}")

    tables, findings = validate_exports(args.raw_dir, configuration.load(args.config))
    if args.report:
        Path(args.report).write_text(report_markdown(findings, tables), encoding="utf-8")
    if args.findings:
        findings.to_csv(args.findings, index=False, lineterminator="\n")
    failed = bool((findings["severity"] == "FATAL").any())
    if args.tables and not failed:
        write_tables(tables, args.tables)
    print(fatal_summary(findings, args.limit, args.report), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
