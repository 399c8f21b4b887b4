"""Benchmark: the models stage under Snakemake on one core and on two.

Usage: python bench/cv.py [--cores 2] [--min-speed-up 1.5] [--workdir DIR]

Copies the workflow into a scratch folder (bench/scratch.py), never touching the checkout's
results/. It first builds the analysis datasets of the default synthetic trial (not timed),
then times the models stage twice, forcing every repeat job, the final refit and the gather
to rerun: with `--cores 1`, then with `--cores N`. The repeats are independent single-threaded
jobs, so the speed-up should approach N, less the serial part (Snakemake's start-up, the
gather, and the final refit when it runs alone). Prints both wall times and the speed-up, and
exits non-zero below `--min-speed-up` or when the two runs do not give byte-identical results.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from scratch import snakemake, workflow_copy

ADAM = [f"results/adam/{name}.parquet" for name in ("adsl", "adtte", "adlb")]
TARGETS = ["results/models/key_results.json", "results/models/coefficients.csv"]
FORCED = ["model_repeat", "model_final", "model_summary"]
COMPARED = ["performance.csv", "gain.csv", "selection.csv", "calibration.csv", "key_results.json"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--min-speed-up", type=float, default=1.5)
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()

    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="bench_cv_"))
    folder = workflow_copy(scratch / "workflow")
    print(f"scratch workflow: {folder}")
    snakemake(folder, args.cores, *ADAM)
    kept = scratch / "first"
    walls = {}
    for cores in (1, args.cores):
        walls[cores] = snakemake(folder, cores, *TARGETS, "--forcerun", *FORCED)
        repeats = len(list((folder / "results" / "models" / "repeats").iterdir()))
        print(f"--cores {cores}: {walls[cores]:7.1f} s for {repeats} repeat jobs + final + gather")
        if cores == 1:
            shutil.copytree(folder / "results" / "models", kept)
    same = all(
        filecmp.cmp(kept / name, folder / "results" / "models" / name, shallow=False)
        for name in COMPARED
    )
    speed_up = walls[1] / walls[args.cores]
    ok = speed_up >= args.min_speed_up and same
    print(f"speed-up x{speed_up:.2f} on {args.cores} cores; identical outputs: {same}")
    print(f"{'PASS' if ok else 'FAIL'}: speed-up >= {args.min_speed_up:g} and identical outputs")
    if not args.workdir:
        shutil.rmtree(scratch)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
