"""Benchmark: how long a whole build of the paper takes, the figures the README quotes.

Usage: python bench/build.py [--configfile config/quick.yaml] [--cores 2] [--workdir DIR]

Runs the default target (the paper, the simulation study included) in a fresh scratch copy of
the workflow (bench/scratch.py), as `snakemake --cores N [--configfile FILE]` would in a fresh
clone, and prints:

- the wall time of the whole run, measured around Snakemake;
- the CPU time (user + system) summed over its jobs: each rule script's log ends with the
  kernel's count for the job (sbrtlung.logs), the shell rules' come from their benchmark file
  (benchmarks/*.tsv), as in bench/scale.py;
- the wall time summed over the jobs (the benchmark files) and the jobs that took longest.

The machine is shared: the load average at the start and end says how much else ran.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from scale import machine, read_jobs
from scratch import ROOT, snakemake, workflow_copy

LONGEST = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", help="extra config file, e.g. config/quick.yaml")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="scratch folder, kept (default: temporary)")
    args = parser.parse_args()

    folder = args.workdir or Path(tempfile.mkdtemp(prefix="bench_build_")) / "workflow"
    workflow_copy(folder)
    extra = ["--configfile", str((ROOT / args.configfile).resolve())] if args.configfile else []
    print(machine())
    print(f"load average at start: {os.getloadavg()[0]:.2f}; scratch: {folder}")
    print(f"snakemake --cores {args.cores} {' '.join(extra)}".rstrip())
    wall = snakemake(folder, args.cores, *extra)
    jobs = [(rule, job) for rule, runs in read_jobs(folder).items() for job in runs]
    cpu = sum(job["cpu"] for _, job in jobs)
    job_wall = sum(job["wall"] for _, job in jobs)
    print(f"jobs: {len(jobs)}")
    print(f"wall time of the run: {wall:.0f} s on {args.cores} cores")
    print(f"CPU time of the jobs: {cpu:.0f} s (user + system)")
    print(f"wall time of the jobs, summed: {job_wall:.0f} s")
    print("longest jobs (wall s, CPU s):")
    for rule, job in sorted(jobs, key=lambda item: -item[1]["wall"])[:LONGEST]:
        print(f"  {rule:<28} {job['wall']:7.1f} {job['cpu']:7.1f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if not args.workdir:
        shutil.rmtree(folder.parent)


if __name__ == "__main__":
    main()
