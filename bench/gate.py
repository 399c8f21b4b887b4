"""Benchmark: the validation gate on a one-million-row labs export full of duplicated rows.

The delivery is the built-in synthetic trial with its labs export repeated until it has
`--rows` rows, so every (patient, timepoint, analyte) key is on hundreds of rows: each row is
a FATAL finding whose message names the other rows of its key. One gate run as the
`validation_report` job does it (read and validate the folder, write report.md and
report.csv) runs in a fresh interpreter; its wall time and peak memory (the kernel's peak RSS
of that process, `sbrtlung.logs.usage`) are printed with the size of the reports. Exits 1
when the run takes longer than `--max-seconds` or more than `--max-gib`.

    python bench/gate.py                 # 1,000,000 rows, limits 60 s and 2 GiB
    python bench/gate.py --rows 200000   # quicker
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from sbrtlung import config
from sbrtlung.synthetic.simulate import simulate_trial, write_exports

RUN = """
import json, sys, time
from pathlib import Path
from sbrtlung import config
from sbrtlung.logs import usage
from sbrtlung.validation.period import study_period
from sbrtlung.validation.gate import report_markdown, validate_exports, write_findings

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
settings = config.load(**json.loads(sys.argv[3]))
started = time.perf_counter()
period = study_period(settings)
tables, findings = validate_exports(folder, settings, period)
(out / "report.md").write_text(report_markdown(findings, tables, period), encoding="utf-8")
write_findings(findings, out / "report.csv")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mib": usage()[1], "findings": len(findings),
                  "fatal": int((findings["severity"] == "FATAL").sum())}))
"""


def delivery(folder: Path, rows: int, patients: int, seed: int) -> dict:
    """The synthetic trial's exports, labs repeated to `rows` rows; the config to check it."""
    settings = config.load(simulation={"n_patients": patients})
    tables = simulate_trial(settings["simulation"], seed)
    labs = tables["labs"]
    copies = -(-rows // len(labs))
    tables["labs"] = pd.concat([labs] * copies, ignore_index=True).iloc[:rows]
    write_exports(tables, folder)
    return {"simulation": {"n_patients": patients}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of labs.csv")
    parser.add_argument("--patients", type=int, default=100, help="patients of the trial")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--max-gib", type=float, default=2.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder, out = Path(scratch) / "raw", Path(scratch) / "out"
        out.mkdir()
        settings = delivery(folder, args.rows, args.patients, args.seed)
        labs_mb = (folder / "labs.csv").stat().st_size / 2**20
        done = subprocess.run(
            [sys.executable, "-c", RUN, str(folder), str(out), json.dumps(settings)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout)
        sizes = {name: (out / name).stat().st_size / 2**20 for name in ("report.md", "report.csv")}
    gib = result["peak_mib"] / 1024
    print(f"labs.csv: {args.rows:,} rows ({labs_mb:.0f} MB), trial of {args.patients} patients")
    print(f"findings: {result['findings']:,} ({result['fatal']:,} FATAL)")
    print(f"gate run (validate + report.md + report.csv): {result['seconds']:.1f} s wall")
    print(f"peak memory of that process: {result['peak_mib']:.0f} MiB ({gib:.2f} GiB)")
    print(f"report.md {sizes['report.md']:.1f} MB, report.csv {sizes['report.csv']:.1f} MB")
    within = result["seconds"] < args.max_seconds and gib < args.max_gib
    print(
        f"limits {args.max_seconds:g} s and {args.max_gib:g} GiB: {'met' if within else 'EXCEEDED'}"
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
