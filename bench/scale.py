"""Benchmark: wall time, CPU time and peak memory of every stage of the workflow as the trial
grows.

Usage: python bench/scale.py [--sizes 100 1000 10000 50000] [--cores 2] [--cv-repeats 2]
                             [--per-rule] [--workdir DIR]

For each size, a scratch copy of the workflow (bench/scratch.py) runs its default target, the
paper included, on a synthetic trial of that many enrolled patients: the same rules and
scripts as `snakemake --cores N`, the default config otherwise (bootstrap_reps 2000,
cv_folds 5). Two settings are reduced because they do not depend on the cohort: `cv_repeats`
(default 2 here; the workflow's 20 repeats are 20 independent jobs of the size measured
here) and the simulation study of the design (2 trials per scenario in one job; it simulates
trials of the planned 66 patients whatever the cohort).

Measured per job: the wall time from Snakemake's `benchmark:` file of the rule (start-up and
imports included), and the CPU time (user + system) and peak resident memory the kernel
counted for the job's process and its children, which every rule script writes as the last
line of its log (sbrtlung.logs). Snakemake's own memory figure is sampled every 30 s after the
first 15 s of a job, so it can miss a peak; the kernel's cannot.

Stages group the rules (STAGES); a stage's time is the sum over its jobs, its memory the
largest peak of one job (jobs are separate processes: that is what one cluster job needs).
"models: one CV repeat" is the mean of the repeat jobs. Printed: the machine, then per
stage and size the wall time, CPU time and peak memory with the growth per 10x patients
between consecutive sizes, (ratio of the two values) ** (1 / log10(size ratio)): about 10 is
linear, 100 quadratic; fixed costs (interpreter start-up, imports, fixed-size outputs)
dominate the small sizes, so read the growth on the larger ones. Ends with two checks on the
largest step: CPU time growing faster than n log n, and peak memory of 8 GiB or more; the exit
status is 1 when either fails.

Site numbers have two digits and patient numbers three (S01-001), so a cohort of n patients
gets max(6, ceil(n / 400)) sites, at most 99 (the data contract's limit): 50,000 patients go
to 99 sites.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import os
import platform
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scratch import snakemake, workflow_copy

SIZES = (100, 1_000, 10_000, 50_000)
MAX_SITES = 99  # site ids are S + 2 digits
PATIENTS_PER_SITE = 400
MEMORY_BUDGET_MIB = 8 * 1024
PER_JOB = "models: one CV repeat"
STAGES = {
    "simulate": ("simulate_trial",),
    "validate (twice)": ("validation_report", "validated_tables"),
    "adam": ("adles", "adsl", "adtte", "adttesa", "adae", "adlb"),
    "efficacy": ("efficacy", "efficacy_curves", "sensitivity", "site_lcr", "subgroups"),
    "safety": ("safety", "trae_by_grade"),
    "markers": ("marker_summary", "marker_cox"),
    PER_JOB: ("model_repeat",),
    "models: final refit": ("model_final",),
    "models: gather": ("model_summary", "model_calibration_slope"),
    "figures": (
        "consort",
        "figure_local_failure",
        "figure_pfs_os",
        "figure_failure_patterns",
        "figure_swimmer",
        "figure_marker_trajectories",
        "figure_marker_forest",
        "model_figure_performance",
        "model_figure_calibration",
        "figure_forest",
    ),
    "tables": (
        "table_baseline",
        "table_lesions",
        "table_sbrt",
        "table_sites",
        "table_data_quality",
        "flow",
        "efficacy_tables",
        "safety_tables",
        "supplementary_tables",
        "marker_tables",
        "model_tables",
        "key_results",
        "checklists",
        "provenance",
    ),
    "manuscript": ("manuscript_variables", "manuscript_result", "manuscript", "audit"),
    "simulation study (fixed)": (
        "simulation_study_batch",
        "simulation_study_summary",
        "simulation_study_table",
        "simulation_study_figure",
    ),
}
RESOURCES = re.compile(r"resources: cpu (?P<cpu>[\d.]+) s, peak RSS (?P<peak>[\d.]+) MiB")
Jobs = dict[str, list[dict[str, float]]]  # rule -> one {wall, cpu, peak_mib} per job


def n_sites(n: int) -> int:
    """Enough sites for three-digit patient numbers, within the contract's two-digit sites."""
    return min(MAX_SITES, max(6, math.ceil(n / PATIENTS_PER_SITE)))


def bench_config(n: int, cv_repeats: int) -> dict:
    """The config overrides of one size."""
    return {
        "simulation": {"n_patients": n, "n_sites": n_sites(n)},
        "cv_repeats": cv_repeats,
        "simulation_study": {"replicates": 2, "batches": 1},
    }


def read_jobs(folder: Path) -> Jobs:
    """Every job's wall time (benchmarks/) and CPU time and peak memory (its log), by rule.

    A benchmark file is benchmarks/<rule>.tsv or benchmarks/<rule>/<wildcards>.tsv; the log
    of a rule script names its rule on its first line and ends with the resources line. Shell
    rules (the copies into the Quarto project) write no such line: theirs come from the
    benchmark file (NA, for a job too short to sample, counts 0).
    """
    jobs: Jobs = defaultdict(list)
    for path in sorted((folder / "benchmarks").rglob("*.tsv")):
        rule = path.relative_to(folder / "benchmarks").parts[0].removesuffix(".tsv")
        with path.open() as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                sampled = {"cpu": row["cpu_time"], "peak_mib": row["max_rss"]}
                job = {key: 0.0 if v == "NA" else float(v) for key, v in sampled.items()}
                jobs[rule].append({"wall": float(row["s"]), **job})
    usage: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for path in sorted((folder / "logs").rglob("*.log")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found = [m for line in lines if (m := RESOURCES.search(line))]
        if found:
            rule = lines[0].removeprefix("INFO rule ").strip()
            usage[rule].append((float(found[-1]["cpu"]), float(found[-1]["peak"])))
    for rule, counted in usage.items():
        if len(counted) != len(jobs.get(rule, [])):
            sys.exit(
                f"{folder}: {len(counted)} logs but {len(jobs.get(rule, []))} benchmarks of {rule}"
            )
        for job, (cpu, peak) in zip(jobs[rule], counted, strict=True):
            job.update(cpu=cpu, peak_mib=peak)
    return dict(jobs)


def summarise(runs: list[dict[str, float]], per_job: bool = False) -> dict[str, float]:
    """Summed (per_job: mean) wall and CPU time and the largest peak memory of some jobs."""
    share = 1 / len(runs) if per_job else 1.0
    return {
        "wall": share * sum(job["wall"] for job in runs),
        "cpu": share * sum(job["cpu"] for job in runs),
        "peak_mib": max(job["peak_mib"] for job in runs),
    }


def by_stage(jobs: Jobs) -> dict[str, dict[str, float]]:
    """Every stage of STAGES summarised; every rule that ran must belong to one."""
    staged = {rule for rules in STAGES.values() for rule in rules}
    if unknown := sorted(set(jobs) - staged):
        sys.exit(f"rules without a stage in bench/scale.py STAGES: {unknown}")
    out = {}
    for stage, rules in STAGES.items():
        runs = [job for rule in rules for job in jobs.get(rule, [])]
        if not runs:
            sys.exit(f"stage {stage!r} ran no job")
        out[stage] = summarise(runs, per_job=stage == PER_JOB)
    return out


def machine() -> str:
    """CPU model, cores, RAM, Python and numpy of this machine."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, {ram:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}"
    )


def growth(a: float, b: float, n_a: int, n_b: int) -> float:
    """Growth per 10x patients from (n_a, a) to (n_b, b)."""
    return (b / a) ** (1 / math.log10(n_b / n_a)) if a > 0 and b > 0 else math.nan


def n_log_n_growth(n_a: int, n_b: int) -> float:
    """The growth per 10x of n log n between the two sizes (10 would be linear)."""
    return growth(n_a * math.log(n_a), n_b * math.log(n_b), n_a, n_b)


def table(
    title: str, rows: dict[str, list[float]], sizes: list[int], fmt: str, label: str = "stage"
) -> str:
    """A text table: one row per stage, one column per size, then the growth per 10x."""
    head = [label, *(f"{n:,}" for n in sizes)]
    head += [f"x10 {a:,}->{b:,}" for a, b in itertools.pairwise(sizes)]
    body = [
        [
            stage,
            *(format(v, fmt) for v in values),
            *(
                "-" if math.isnan(g := growth(a, b, n_a, n_b)) else f"{g:.1f}"
                for (a, n_a), (b, n_b) in itertools.pairwise(zip(values, sizes, strict=True))
            ),
        ]
        for stage, values in rows.items()
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = [title]
    for line in [head, *body]:
        cells = [line[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def checks(staged: dict[int, dict[str, dict[str, float]]]) -> list[str]:
    """Failures on the largest step: CPU time growing faster than n log n, memory over budget.

    The fixed-size stages (manuscript, simulation study) are not expected to grow at all.
    """
    sizes = sorted(staged)
    failures = []
    if len(sizes) > 1:
        n_a, n_b = sizes[-2:]
        bound = n_log_n_growth(n_a, n_b)
        for stage in STAGES:
            g = growth(staged[n_a][stage]["cpu"], staged[n_b][stage]["cpu"], n_a, n_b)
            if g > bound:
                failures.append(f"{stage}: CPU time grows x{g:.1f} per 10x > n log n x{bound:.1f}")
    largest = staged[sizes[-1]]
    stage, peak = max(((s, v["peak_mib"]) for s, v in largest.items()), key=lambda x: x[1])
    if peak >= MEMORY_BUDGET_MIB:
        failures.append(f"{stage}: peak memory {peak:.0f} MiB >= {MEMORY_BUDGET_MIB} MiB")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--cv-repeats", type=int, default=2)
    parser.add_argument("--per-rule", action="store_true", help="also print every rule")
    parser.add_argument("--workdir", type=Path, help="scratch folder, kept (default: temporary)")
    args = parser.parse_args()

    sizes = sorted(args.sizes)
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    print(machine())
    print(f"load average at start: {os.getloadavg()[0]:.2f}; scratch: {scratch}")
    print(
        f"snakemake --cores {args.cores}, default target; cv_repeats {args.cv_repeats}; "
        f"sites = min({MAX_SITES}, max(6, ceil(n / {PATIENTS_PER_SITE})))"
    )
    staged, per_rule, totals = {}, {}, {}
    for n in sizes:
        folder = workflow_copy(scratch / f"n{n}")
        (folder / "bench.yaml").write_text(yaml.safe_dump(bench_config(n, args.cv_repeats)))
        totals[n] = snakemake(folder, args.cores, "--configfile", "bench.yaml")
        jobs = read_jobs(folder)
        staged[n] = by_stage(jobs)
        per_rule[n] = {
            rule: summarise(runs, per_job=rule in STAGES[PER_JOB]) for rule, runs in jobs.items()
        }
        print(f"  n={n:>6,}: workflow {totals[n]:7.1f} s wall on {args.cores} cores", flush=True)

    for key, title, fmt in (
        ("wall", "Wall time of the jobs (s)", ".1f"),
        ("cpu", "CPU time of the jobs, user + system (s)", ".1f"),
        ("peak_mib", "Peak memory of one job (MiB)", ".0f"),
    ):
        rows = {stage: [staged[n][stage][key] for n in sizes] for stage in STAGES}
        if key == "wall":
            rows[f"workflow, {args.cores} cores"] = [totals[n] for n in sizes]
        print()
        print(table(title, rows, sizes, fmt))
    if args.per_rule:
        print()
        print(table("Per rule: CPU time (s)", _rule_rows(per_rule, "cpu"), sizes, ".1f", "rule"))
        print()
        print(
            table(
                "Per rule: peak memory (MiB)",
                _rule_rows(per_rule, "peak_mib"),
                sizes,
                ".0f",
                "rule",
            )
        )

    failures = checks(staged)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    print(
        "\n".join(f"FAIL {failure}" for failure in failures)
        or "PASS: no stage grows faster "
        f"than n log n on the largest step; every job under {MEMORY_BUDGET_MIB} MiB"
    )
    if not args.workdir:
        shutil.rmtree(scratch)
    return 1 if failures else 0


def _rule_rows(per_rule: dict[int, dict[str, dict[str, float]]], key: str) -> dict:
    """One row per rule, in stage order."""
    rules = [rule for stage_rules in STAGES.values() for rule in stage_rules]
    return {rule: [per_rule[n][rule][key] for n in sorted(per_rule)] for rule in rules}


if __name__ == "__main__":
    sys.exit(main())
