"""Benchmark: CPU per replicate of the simulation study, fast path against the full path.

Usage: python bench/simulation_study.py [--replicates 20] [--config config/config.yaml]
                                [--min-ratio 8]

Analyses the first ``--replicates`` replicates of both scenarios of the study (the
configuration's seeds, planned trial size and bootstrap replicates) twice: by the study's
fast path (`simulation_study.analyse_replicate`: only the exports the endpoints read,
endpoint arrays straight from the endpoint definitions) and by the workflow's whole
derivation path (`simulation_study.analyse_replicate_full`: every export, every analysis
dataset, `efficacy.rates`).
Prints the CPU seconds per replicate of each path (process time, one core) and their ratio,
checks that both paths give identical rows, and exits non-zero if they differ or the ratio
is below ``--min-ratio``. The population truths are computed once before timing (they are
cached and shared by both paths).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import pandas as pd

from sbrtlung import config
from sbrtlung.simulation_study import trials as simulation_study


def _timed(analyse: Callable, cfg: dict, jobs: list) -> tuple[float, list[pd.DataFrame]]:
    """CPU seconds per replicate and the rows of every replicate."""
    started = time.process_time()
    rows = [analyse(cfg, sim, seeds) for sim, seeds in jobs]
    return (time.process_time() - started) / len(jobs), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20, help="per scenario")
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--min-ratio", type=float, default=8.0)
    args = parser.parse_args(argv)
    cfg = config.load(args.config)
    simulation_study.scenario_truths(cfg)  # calibrate the generator's hazards outside the clock
    jobs = [
        (
            simulation_study.scenario_simulation(cfg, scenario),
            simulation_study.replicate_seeds(cfg["seed"], scenario, r),
        )
        for scenario in simulation_study.SCENARIOS
        for r in range(1, args.replicates + 1)
    ]
    fast, fast_rows = _timed(simulation_study.analyse_replicate, cfg, jobs)
    full, full_rows = _timed(simulation_study.analyse_replicate_full, cfg, jobs)
    identical = all(a.equals(b) for a, b in zip(fast_rows, full_rows, strict=True))
    ratio = full / fast
    print(
        f"{len(jobs)} replicates ({args.replicates} per scenario), "
        f"{simulation_study.planned_patients(cfg)} patients, "
        f"{simulation_study.bootstrap_reps(cfg)} bootstrap replicates each"
    )
    print(f"full path: {1000 * full:7.1f} ms CPU per replicate")
    print(f"fast path: {1000 * fast:7.1f} ms CPU per replicate")
    print(f"ratio:     {ratio:7.1f}x   rows identical: {'yes' if identical else 'NO'}")
    return 0 if identical and ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
