"""Benchmark: wall time and peak memory of every analysis stage as the trial grows.

Usage: python bench/scale.py [--sizes 100 1000 10000 50000] [--stages ...] [--workdir DIR]
                             [--keep]

For each size, the workflow's synthetic trial of that many enrolled patients goes through the
analysis targets stage by stage, with the same library calls as the rule scripts and the
default config otherwise (bootstrap_reps 2000, cv_folds 5). Each stage runs in a fresh Python
process that reads the previous stages' files from a scratch folder and writes its own, so a
stage's peak resident memory (the child's ``ru_maxrss``) is its own. Wall time counts reading
the inputs, computing and writing the outputs; the interpreter start-up and imports, the same
for every stage, are excluded from the time and reported once (memory "idle"); the memory
growth is computed above that idle level.

Stages (-> the workflow rules they stand for):

- simulate: ``simulate_trial`` and the nine CSV exports (simulate_trial);
- validate: the gate, once (the workflow runs ``validate_exports`` in validation_report and
  again in validated_tables): findings CSV, Markdown report, typed parquet tables;
- adam: ADLES, ADSL, ADTTE, ADAE, ADLB, each checked against its contract and written;
- efficacy: rates with bootstrap CIs, medians, primary decision, failure pattern;
- safety: incidences, worst-grade tables, grade 5 listing;
- markers: summary with Friedman and Wilcoxon tests, univariable Cox models and REMARK profile;
- models_cv: modelling cohorts and ONE outer repeat of the nested CV (model_repeat 1), then the
  gather of that repeat (model_summary); the workflow runs ``cv_repeats`` (20) such repeats
  as independent jobs;
- models_final: every model refitted on all patients (model_final);
- figures: the nine figures, PNG and PDF (consort, local failure and failure patterns with
  their bootstrap bands, PFS/OS, swimmer, marker trajectories and forest, model performance
  and calibration);
- tables: every table of results/tables (CSV and Markdown), key_results.json and the
  provenance record.

Not measured: the manuscript render (Quarto or pandoc + typst on fixed-size tables) and the
simulation study of the design (its own target; key_results.json here has no block of it).

Site numbers have two digits and patient numbers three (S01-001), so a cohort of n patients
gets max(6, ceil(n / 400)) sites, at most 99 (the data contract's limit): 50,000 patients go
to 99 sites (the simulator caps a site at 999 patients).

Every stage runs at its defaults at every size, the nested CV included (one repeat at 50,000
patients takes a few minutes; the workflow's 20 repeats are 20 such independent jobs).

Prints the machine (CPU, cores, RAM, Python, numpy) and the load average (on a shared machine
wall times stretch, CPU times much less), then tables of wall time, CPU time (user + system)
and peak memory per stage and size, each with the growth per 10x patients between consecutive
sizes: (ratio of the two values) ** (1 / log10(size ratio)); about 10 is linear, 100
quadratic. Fixed costs dominate the small sizes, so read the growth on the larger ones.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sbrtlung import config, efficacy, markers, safety
from sbrtlung.adam import derive_all
from sbrtlung.characteristics import baseline, lesions, sbrt, sites, write_table
from sbrtlung.checklists import checklists_markdown
from sbrtlung.datasets import read_tables, write_dataset
from sbrtlung.design import planned_sample_size
from sbrtlung.figures.consort import consort_figure
from sbrtlung.figures.markers import forest_figure, trajectory_figure
from sbrtlung.figures.models import calibration_figure, performance_figure
from sbrtlung.figures.style import save
from sbrtlung.figures.survival import (
    failure_patterns_figure,
    local_failure_figure,
    pfs_os_figure,
)
from sbrtlung.figures.swimmer import swimmer_figure
from sbrtlung.flow import flow_counts
from sbrtlung.formatting import markdown_table
from sbrtlung.key_results import (
    assemble,
    data_source,
    marker_findings,
    primary_outcome,
    write_json,
)
from sbrtlung.marker_cox import cox_table, key_results, marker_models, remark_table
from sbrtlung.models import cv, data, summary, tables
from sbrtlung.provenance import git_state, record
from sbrtlung.quality import data_quality, read_findings
from sbrtlung.results_tables import efficacy_table, pattern_table, worst_grade_markdown
from sbrtlung.schemas.vocabulary import MARKERS
from sbrtlung.simulate import simulate_trial, write_exports
from sbrtlung.validate import report_markdown, validate_exports, write_tables

ROOT = Path(__file__).resolve().parents[1]
SIZES = (100, 1_000, 10_000, 50_000)
MAX_SITES = 99  # site ids are S + 2 digits
PATIENTS_PER_SITE = 400
REPEAT = 1

Stage = Callable[[Path, dict[str, Any]], None]


def n_sites(n: int) -> int:
    """Enough sites for three-digit patient numbers, within the contract's two-digit sites."""
    return min(MAX_SITES, max(6, math.ceil(n / PATIENTS_PER_SITE)))


def trial_config(n: int) -> dict[str, Any]:
    """The default workflow config for a synthetic trial of `n` patients."""
    return config.load(simulation={"n_patients": n, "n_sites": n_sites(n)})


def _parquet(folder: Path, *names: str) -> list[pd.DataFrame]:
    return [pd.read_parquet(folder / f"{name}.parquet") for name in names]


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def _figure(figure: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save(figure, path)


# Stages: each mirrors the library calls of its rule scripts (scripts/*.py).


def stage_simulate(folder: Path, c: dict[str, Any]) -> None:
    write_exports(simulate_trial(c["simulation"], c["seed"]), folder / "raw")


def stage_validate(folder: Path, c: dict[str, Any]) -> None:
    tables_, findings = validate_exports(folder / "raw", c)
    out = folder / "validation"
    _csv(findings, out / "report.csv")
    (out / "report.md").write_text(report_markdown(findings, tables_), encoding="utf-8")
    if (findings["severity"] == "FATAL").any():
        sys.exit(f"the gate refused the synthetic trial: see {out / 'report.md'}")
    write_tables(tables_, folder / "validated")


def stage_adam(folder: Path, c: dict[str, Any]) -> None:
    raw = read_tables(sorted((folder / "validated").glob("*.parquet")))
    out = folder / "adam"
    out.mkdir(exist_ok=True)
    for name, dataset in derive_all(raw, c).items():
        write_dataset(dataset, name, out / f"{name}.parquet")


def stage_efficacy(folder: Path, c: dict[str, Any]) -> None:
    adtte, adsl = _parquet(folder / "adam", "adtte", "adsl")
    out = folder / "efficacy"
    times = {"1y": c["year_days"], "2y": c["horizon_days"]}
    rates = efficacy.rates(adtte, adsl, times, c["bootstrap_reps"], c["seed"])
    _csv(rates, out / "rates.csv")
    _csv(efficacy.medians(adtte, adsl, c["month_days"]), out / "medians.csv")
    primary = efficacy.primary_decision(rates, "2y", c["hypothesis"]["lcr_null"])
    write_json(primary, out / "primary.json")
    _csv(efficacy.failure_pattern(adtte, adsl), out / "failure_pattern.csv")


def stage_safety(folder: Path, c: dict[str, Any]) -> None:
    adae, adsl = _parquet(folder / "adam", "adae", "adsl")
    out = folder / "safety"
    out.mkdir(exist_ok=True)
    n_safety = int(adsl["SAFFL"].sum())
    write_json(safety.summary(adae, n_safety), out / "summary.json")
    _csv(safety.worst_grade_tables(adae, n_safety), out / "worst_grade.csv")
    _csv(safety.grade5_listing(adae, adsl), out / "grade5.csv")


def stage_markers(folder: Path, c: dict[str, Any]) -> None:
    adlb, adsl, adtte = _parquet(folder / "adam", "adlb", "adsl", "adtte")
    out = folder / "markers"
    _csv(markers.summary(adlb), out / "summary.csv")
    cox, remark = marker_models(adlb, adsl, adtte, c["landmark_days"])
    _csv(cox, out / "cox.csv")
    _csv(remark, out / "remark.csv")
    write_json(key_results(cox), out / "key_results.json")


def _cohorts(folder: Path, c: dict[str, Any]) -> list[data.Cohort]:
    adsl, adtte, adlb = _parquet(folder / "adam", "adsl", "adtte", "adlb")
    return data.cohorts(adsl, adtte, adlb, c["landmark_days"])


def stage_models_cv(folder: Path, c: dict[str, Any]) -> None:
    result = cv.run_repeat(
        _cohorts(folder, c),
        REPEAT,
        folds=c["cv_folds"],
        seed=c["seed"],
        year_days=c["year_days"],
        horizon_days=c["horizon_days"],
    )
    out = folder / "models"
    performance = summary.performance(result.metrics)
    gains = summary.gains(result.metrics)
    _csv(performance, out / "performance.csv")
    _csv(gains, out / "gain.csv")
    _csv(summary.repeat_metrics(result.metrics), out / "repeat_metrics.csv")
    _csv(summary.selection(result.coefficients), out / "selection.csv")
    _csv(summary.calibration(result.predictions, c["horizon_days"]), out / "calibration.csv")
    write_json(summary.key_results(performance, gains), out / "key_results.json")


def stage_models_final(folder: Path, c: dict[str, Any]) -> None:
    final = cv.final_models(_cohorts(folder, c), folds=c["cv_folds"], seed=c["seed"])
    _csv(final, folder / "models" / "coefficients.csv")


def stage_figures(folder: Path, c: dict[str, Any]) -> None:
    adam, out = folder / "adam", folder / "figures"
    adsl, adles, adtte, adlb = _parquet(adam, "adsl", "adles", "adtte", "adlb")
    screening = pd.read_parquet(folder / "validated" / "screening.parquet")
    days = {"horizon_days": c["horizon_days"], "month_days": c["month_days"]}
    boot = {"reps": c["bootstrap_reps"], "seed": c["seed"]}
    counts = flow_counts(screening, adsl, adles)
    write_json(counts, folder / "flow.json")
    _figure(consort_figure(counts), out / "consort")
    _figure(local_failure_figure(adtte, **days, **boot), out / "local_failure")
    _figure(pfs_os_figure(adtte, **days), out / "pfs_os")
    _figure(failure_patterns_figure(adtte, **days, **boot), out / "failure_patterns")
    _figure(swimmer_figure(adsl, adtte, month_days=c["month_days"]), out / "swimmer")
    _figure(trajectory_figure(adlb), out / "marker_trajectories")
    cox = pd.read_csv(folder / "markers" / "cox.csv")
    _figure(forest_figure(cox, c["landmark_days"]), out / "marker_forest")
    models = folder / "models"
    performance = pd.read_csv(models / "performance.csv")
    repeat_metrics = pd.read_csv(models / "repeat_metrics.csv")
    _figure(performance_figure(performance, repeat_metrics), out / "model_performance")
    calibration = pd.read_csv(models / "calibration.csv")
    _figure(
        calibration_figure(calibration, c["horizon_days"], c["year_days"]),
        out / "model_calibration",
    )


def _markdown(table: pd.DataFrame, path: Path, align: str | None = None) -> None:
    _csv(table, path.with_suffix(".csv"))
    path.with_suffix(".md").write_text(markdown_table(table, align), encoding="utf-8")


def _key_results(folder: Path, c: dict[str, Any]) -> dict[str, Any]:
    """key_results.json as scripts/key_results.py assembles it."""
    adam, eff = folder / "adam", folder / "efficacy"
    adsl, adles = _parquet(adam, "adsl", "adles")
    results = assemble(
        screening=pd.read_parquet(folder / "validated" / "screening.parquet"),
        adsl=adsl,
        adles=adles,
        rates=pd.read_csv(eff / "rates.csv"),
        medians=pd.read_csv(eff / "medians.csv"),
        primary=json.loads((eff / "primary.json").read_text()),
        safety=json.loads((folder / "safety" / "summary.json").read_text()),
        design=planned_sample_size(c["hypothesis"], c["sample_size"]),
        pattern=pd.read_csv(eff / "failure_pattern.csv"),
        flow=json.loads((folder / "flow.json").read_text()),
    )
    results |= json.loads((folder / "markers" / "key_results.json").read_text())
    models = json.loads((folder / "models" / "key_results.json").read_text())
    results["models"] = models["models"]
    results["model_gain_over_clinical"] = models["gain_over_clinical"]
    results["model_landmark"] = models["landmark"]
    results["model_cohorts"] = models["cohorts"]
    results["primary_outcome"] = primary_outcome(results["primary_success"])
    results["data_source"] = data_source(c["raw_dir"])
    labels = {m: markers.marker_label(m) for m in MARKERS}
    results["marker_findings"] = marker_findings(results["marker_cox"], labels)
    return results


def stage_tables(folder: Path, c: dict[str, Any]) -> None:
    adam, out = folder / "adam", folder / "tables"
    out.mkdir(exist_ok=True)
    adsl, adles, adtte, adlb = _parquet(adam, "adsl", "adles", "adtte", "adlb")
    screening = pd.read_parquet(folder / "validated" / "screening.parquet")
    for name, table in (
        ("baseline", baseline(adsl)),
        ("lesions", lesions(adles)),
        ("sbrt", sbrt(adles)),
        ("sites", sites(screening, adsl)),
    ):
        write_table(table, out / f"{name}.csv", out / f"{name}.md")
    findings = read_findings(folder / "validation" / "report.csv")
    validated = read_tables(sorted((folder / "validated").glob("*.parquet")))
    quality = data_quality(findings, validated, c)
    write_table(quality, out / "data_quality.csv", out / "data_quality.md")

    eff = folder / "efficacy"
    rates, medians = pd.read_csv(eff / "rates.csv"), pd.read_csv(eff / "medians.csv")
    _markdown(efficacy_table(rates, medians), out / "efficacy", "llrrrrl")
    _markdown(pattern_table(pd.read_csv(eff / "failure_pattern.csv")), out / "failure_pattern")
    worst = pd.read_csv(folder / "safety" / "worst_grade.csv")
    parts = [
        worst_grade_markdown(worst, subset, phase)
        for subset in ("treatment-related", "all-cause")
        for phase in ("acute", "late", "all")
    ]
    (out / "ae_supplement.md").write_text("\n".join(parts), encoding="utf-8")

    mk = folder / "markers"
    summary_ = markers.summary_table(pd.read_csv(mk / "summary.csv"))
    _markdown(summary_, out / "markers")
    _markdown(cox_table(pd.read_csv(mk / "cox.csv")), out / "marker_cox")
    _markdown(remark_table(pd.read_csv(mk / "remark.csv")), out / "remark")

    models = folder / "models"
    performance = pd.read_csv(models / "performance.csv")
    _markdown(tables.models_table(performance, pd.read_csv(models / "gain.csv")), out / "models")
    tripod = tables.tripod_table(
        data.cohorts(adsl, adtte, adlb, c["landmark_days"]),
        performance,
        pd.read_csv(models / "calibration.csv"),
        folds=c["cv_folds"],
        repeats=c["cv_repeats"],
        landmark_days=c["landmark_days"],
        horizon_days=c["horizon_days"],
        year_days=c["year_days"],
    )
    _markdown(tripod, out / "tripod")

    results = _key_results(folder, c)
    write_json(results, folder / "key_results.json")
    (out / "checklists.md").write_text(checklists_markdown(results), encoding="utf-8")
    raw = sorted((folder / "raw").glob("*.csv"))
    write_json(record(raw, c, git_state(ROOT)), folder / "provenance.json")


STAGES: dict[str, Stage] = {
    "simulate": stage_simulate,
    "validate": stage_validate,
    "adam": stage_adam,
    "efficacy": stage_efficacy,
    "safety": stage_safety,
    "markers": stage_markers,
    "models_cv": stage_models_cv,
    "models_final": stage_models_final,
    "figures": stage_figures,
    "tables": stage_tables,
}
IDLE = "idle"


def peak_rss_mib() -> float:
    """Peak resident memory of this process and its waited-for children (Linux: KiB)."""
    kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return kib / 1024


def cpu_seconds() -> float:
    """User and system CPU time of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(stage: str, folder: Path, n: int) -> None:
    """Run one stage in this process; print its wall and CPU time and peak memory as JSON."""
    c = trial_config(n)
    started, cpu = time.perf_counter(), cpu_seconds()
    if stage != IDLE:
        STAGES[stage](folder, c)
    measured = {
        "wall": time.perf_counter() - started,
        "cpu": cpu_seconds() - cpu,
        "peak_mib": peak_rss_mib(),
    }
    print(json.dumps(measured))


def run_stage(stage: str, folder: Path, n: int) -> dict[str, float]:
    """One stage in a fresh interpreter; its measurements."""
    script = str(Path(__file__).resolve())
    command = [
        sys.executable,
        script,
        "--child",
        stage,
        "--folder",
        str(folder),
        "--patients",
        str(n),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=_child_env())
    if done.returncode != 0:
        sys.exit(f"stage {stage} failed at {n} patients:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child_env() -> dict[str, str]:
    """Headless plotting, and one BLAS thread per process like a one-thread Snakemake job."""
    env = dict(os.environ, MPLBACKEND="Agg")
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


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


def growth(values: list[float], sizes: list[int]) -> list[str]:
    """Growth per 10x patients between consecutive sizes."""
    out = []
    for (a, n_a), (b, n_b) in itertools.pairwise(zip(values, sizes, strict=True)):
        out.append(f"{(b / a) ** (1 / math.log10(n_b / n_a)):.1f}" if a > 0 and b > 0 else "-")
    return out


def table(
    title: str, rows: dict[str, list[float]], sizes: list[int], fmt: str, base: float = 0.0
) -> str:
    """A text table: one row per stage, one column per size, then growth per 10x."""
    head = ["stage"] + [f"{n:,}" for n in sizes]
    head += [f"x10 {a:,}->{b:,}" for a, b in itertools.pairwise(sizes)]
    body = [
        [stage, *(format(v, fmt) for v in values), *growth([v - base for v in values], sizes)]
        for stage, values in rows.items()
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = [title]
    for line in [head, *body]:
        cells = [line[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--stages", nargs="+", choices=list(STAGES), default=list(STAGES))
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--patients", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, args.patients)
        return 0

    sizes = sorted(args.sizes)
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    print(machine())
    print(f"load average at start: {os.getloadavg()[0]:.2f}; scratch: {scratch}")
    print(f"config: defaults; sites = min({MAX_SITES}, max(6, ceil(n / {PATIENTS_PER_SITE})))")
    started = time.perf_counter()
    measured = {key: {s: [] for s in args.stages} for key in ("wall", "cpu", "peak_mib")}
    idle = []
    for n in sizes:
        folder = scratch / f"n{n}"
        folder.mkdir(parents=True, exist_ok=True)
        idle.append(run_stage(IDLE, folder, n)["peak_mib"])
        for stage in args.stages:
            m = run_stage(stage, folder, n)
            for key, values in measured.items():
                values[stage].append(m[key])
            print(
                f"  n={n:>6,} {stage:<13} wall {m['wall']:8.2f} s  cpu {m['cpu']:8.2f} s"
                f"  peak {m['peak_mib']:6.0f} MiB",
                flush=True,
            )
    base = max(idle)
    print()
    print(table("Wall time (s)", measured["wall"], sizes, ".2f"))
    print()
    print(table("CPU time, user + system (s)", measured["cpu"], sizes, ".2f"))
    print()
    title = f"Peak RSS (MiB; idle interpreter with imports {base:.0f} MiB, growth above it)"
    print(table(title, measured["peak_mib"], sizes, ".0f", base))
    elapsed, load = time.perf_counter() - started, os.getloadavg()[0]
    print(f"\ntotal benchmark wall time: {elapsed:.0f} s; load average at end: {load:.2f}")
    if not (args.workdir or args.keep):
        shutil.rmtree(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
