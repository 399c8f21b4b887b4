"""Benchmark: the delta between two data cuts of 10,000 patients each (rule `delta`).

Usage: python bench/delta.py [--patients 10000] [--sites 25]

One synthetic trial of that many patients is the current delivery; the previous one lacks its
last 2% of enrolled patients, and has 50 AE grades, 50 scan dates and 50 lab values that
differ and 50 AEs more (so every kind of change is there). Both are written as the gate's
typed tables (parquet), as the workflow holds them, with a key_results.json each. The rule's
work then runs in a fresh Python process, as the rule's job would: read both deliveries,
compare them and their key results, write changes.csv, key_results.csv and the report
(Markdown and HTML). Printed: the number of changes, the wall and CPU time of that process
and its peak resident memory (the kernel's count); the exit status is 1 when it takes 60 s or
more, or 2 GiB or more.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sbrtlung import config
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.gate import write_tables

LIMIT_SECONDS = 60
LIMIT_MIB = 2048
EDITS = 50

RUN = """
import sys, time
from pathlib import Path
import pandas as pd
from sbrtlung.monitoring.delta import delta
from sbrtlung.tables import read_json, write_csv, write_markdown
root = Path(sys.argv[1])
start = time.perf_counter()
read = lambda d: {p.stem: pd.read_parquet(p) for p in sorted((root / d).glob("*.parquet"))}
result = delta(read("previous"), read("current"), sys.argv[2], sys.argv[3],
               read_json(root / "previous.json"), read_json(root / "current.json"))
write_csv(result.changes, root / "changes.csv")
write_csv(result.numbers, root / "key_results.csv")
write_markdown(result.markdown, root / "report.md")
write_markdown(result.html, root / "report.html")
print(len(result.changes), time.perf_counter() - start)
"""


def deliveries(n: int, sites: int, root: Path) -> tuple[str, str]:
    """Write the current and the previous delivery under `root`; returns their data cuts."""
    c = config.load(simulation={"n_patients": n, "n_sites": sites})
    current = simulate_trial(c["simulation"], seed=c["seed"])
    rng = np.random.default_rng(1)
    enrolled = current["patients"].sort_values(["enrollment_date", "patient_id"])["patient_id"]
    late = set(enrolled.iloc[-max(1, n // 50) :])
    previous = {
        stem: frame[~frame["patient_id"].isin(late)].reset_index(drop=True).copy()
        for stem, frame in current.items()
    }
    events = previous["adverse_events"]
    picked = rng.choice(len(events), 2 * EDITS, replace=False)
    events.loc[picked[:EDITS], "grade"] = (events.loc[picked[:EDITS], "grade"] % 4) + 1
    previous["adverse_events"] = events.drop(index=picked[EDITS:]).reset_index(drop=True)
    scans = previous["imaging"]
    picked = rng.choice(len(scans), EDITS, replace=False)
    scans.loc[picked, "assessment_date"] -= pd.Timedelta(days=1)
    previous["imaging"] = scans.drop_duplicates(["patient_id", "lesion_id", "assessment_date"])
    labs = previous["labs"]
    picked = rng.choice(len(labs), EDITS, replace=False)
    labs.loc[picked, "value"] = labs.loc[picked, "value"] * 1.1
    write_tables(current, root / "current")
    write_tables(previous, root / "previous")
    numbers = {"n_enrolled": n, "trae_grade3plus": {"n": 3, "estimate": 0.03}}
    (root / "current.json").write_text(json.dumps(numbers))
    (root / "previous.json").write_text(json.dumps({**numbers, "n_enrolled": n - len(late)}))
    cut = str(current["follow_up"]["last_contact_date"].max().date())
    return cut, cut


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        previous_cut, current_cut = deliveries(args.patients, args.sites, root)
        rows = {
            stem: len(pd.read_parquet(p))
            for stem, p in ((p.stem, p) for p in sorted((root / "current").glob("*.parquet")))
        }
        print(f"{args.patients} patients; current delivery rows: {rows}")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", RUN, str(root), previous_cut, current_cut],
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mib = after.ru_maxrss / 1024
    changes, inside = done.stdout.split()
    print(
        f"changes: {changes}; wall {wall:.1f} s (of which the comparison {float(inside):.1f} s), "
        f"CPU {cpu:.1f} s, peak memory {peak_mib:.0f} MiB"
    )
    ok = wall < LIMIT_SECONDS and peak_mib < LIMIT_MIB
    print("within 60 s and 2 GiB" if ok else "OVER the limits of 60 s and 2 GiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
