"""`python -m sbrtlung.redcap dictionary|split|export|check`: the eCRF for REDCap, REDCap's
records export to the nine contract exports and back, and a REDCap delivery through the gate
by hand (docs/redcap.md).

A file that cannot be used ends the command with one line saying why, and exit status 1 (as
does a delivery with a FATAL finding); an error no rule foresaw ends it with one line naming
the file being read, and exit status 2.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from sbrtlung import console
from sbrtlung.redcap import metadata, records
from sbrtlung.redcap.ecrf import RedcapError
from sbrtlung.validation import gate

PROGRAM = "python -m sbrtlung.redcap"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    dictionary = commands.add_parser("dictionary", help="write the eCRF's REDCap data dictionary")
    dictionary.add_argument("--out", required=True, help="data dictionary CSV to write")
    dictionary.add_argument(
        "--repeating", help="also write the repeating instruments (REDCap API import CSV)"
    )
    split = commands.add_parser("split", help="REDCap records export -> the nine exports")
    split.add_argument("records", help="records export: CSV, raw data, variable names")
    split.add_argument("--dictionary", required=True, help="the project's data dictionary")
    split.add_argument("--out", required=True, help="folder for the nine exports")
    split.add_argument("--rows", help="write the row map (file, row -> REDCap record) here")
    split.add_argument("--notes", help="write the data dictionary's WARN findings here")
    export = commands.add_parser("export", help="the nine exports -> REDCap records export")
    export.add_argument("raw_dir", help="folder of the nine contract exports")
    export.add_argument("--dictionary", required=True, help="the project's data dictionary")
    export.add_argument("--out", required=True, help="records export CSV to write")
    check = commands.add_parser(
        "check", help="split records.csv and dictionary.csv of a folder and run the gate"
    )
    check.add_argument("folder", help="folder of records.csv and dictionary.csv")
    check.add_argument("--config", help="workflow config file (default: schema defaults)")
    check.add_argument("--data-cut", help="data cut YYYY-MM-DD (required, or config data_cut)")
    check.add_argument("--study-start", help="study start YYYY-MM-DD (required, or config)")
    check.add_argument("--report", help="write the Markdown data-quality report here")
    check.add_argument("--findings", help="write every finding as CSV here")
    check.add_argument("--limit", type=int, default=10, help="FATAL findings shown on stderr")
    args = parser.parse_args(argv)
    prefix = f"{PROGRAM} {args.command}"
    try:
        return run(args)
    except (RedcapError, gate.Stopped) as error:
        print(f"{prefix}: {console.one_line(str(error))}", file=sys.stderr)
        return 1 if isinstance(error, RedcapError) else 2
    except Exception as error:
        print(console.unexpected(prefix, _reading(args), error), file=sys.stderr)
        return 2


def _reading(args: argparse.Namespace) -> str:
    """The input files of the command, for the one line of an unexpected error."""
    if args.command == "split":
        return f"{args.records} (data dictionary {args.dictionary})"
    if args.command == "export":
        return f"{args.raw_dir} (data dictionary {args.dictionary})"
    if args.command == "check":
        return f"{args.folder}/records.csv and dictionary.csv"
    return "the eCRF"


def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "dictionary":
            _write(args.out, metadata.render())
            if args.repeating:
                _write(args.repeating, metadata.render_repeating())
        elif args.command == "split":
            records.split_files(args.records, args.dictionary, args.out, args.rows, args.notes)
        elif args.command == "export":
            records.export_files(args.raw_dir, args.dictionary, args.out)
        else:
            return check_folder(args)
    except OSError as error:
        raise RedcapError(f"cannot write {error.filename} ({error.strerror})") from None
    return 0


def check_folder(args: argparse.Namespace) -> int:
    """The workflow's redcap_split and gate on a folder: every finding located by record,
    instrument, instance and field; exit status 1 when one is FATAL."""
    folder = Path(args.folder)
    config = gate.command_config(args.config, str(folder), args.data_cut, args.study_start)
    config["raw_format"] = "redcap"
    with tempfile.TemporaryDirectory(prefix="sbrtlung-redcap-") as scratch:
        exports, rows, notes = (Path(scratch) / name for name in ("exports", "rows.csv", "n.csv"))
        records.split_files(folder / "records.csv", folder / "dictionary.csv", exports, rows, notes)
        checked = gate.check(exports, config, [str(rows)], [str(notes)])
    findings = checked.findings
    if args.report:
        markdown = gate.report_markdown(findings, checked.tables, checked.period)
        Path(args.report).write_text(markdown, encoding="utf-8")
    if args.findings:
        gate.write_findings(findings, args.findings)
    print(gate.fatal_summary(findings, args.limit, args.report), file=sys.stderr)
    return int(bool((findings["severity"] == "FATAL").any()))


def _write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
