"""`python -m sbrtlung.redcap dictionary|split|export`: the eCRF for REDCap, and REDCap's
records export to the nine contract exports and back (docs/redcap.md).

A file that cannot be used ends the command with one line saying why, and exit status 1.
"""

import argparse
import sys
from pathlib import Path

from sbrtlung.redcap import metadata, records
from sbrtlung.redcap.ecrf import RedcapError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sbrtlung.redcap", description=__doc__)
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
    export = commands.add_parser("export", help="the nine exports -> REDCap records export")
    export.add_argument("raw_dir", help="folder of the nine contract exports")
    export.add_argument("--dictionary", required=True, help="the project's data dictionary")
    export.add_argument("--out", required=True, help="records export CSV to write")
    args = parser.parse_args(argv)
    try:
        run(args)
    except RedcapError as error:
        print(f"{parser.prog} {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> None:
    try:
        if args.command == "dictionary":
            _write(args.out, metadata.render())
            if args.repeating:
                _write(args.repeating, metadata.render_repeating())
        elif args.command == "split":
            records.split_files(args.records, args.dictionary, args.out, args.rows)
        else:
            records.export_files(args.raw_dir, args.dictionary, args.out)
    except OSError as error:
        raise RedcapError(f"cannot write {error.filename} ({error.strerror})") from None


def _write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
