"""Benchmark: vectorised patient-cluster bootstrap against refitting lifelines per replicate.

Usage: python bench/bootstrap.py [--patients 100] [--reps 2000] [--lifelines-reps 200]

Takes the LF endpoint (per treated lesion, death competing) of the workflow's own synthetic
trial at the default configuration (``--patients`` enrolled patients), then breaks every tie
(a distinct fraction of a day per lesion) so that lifelines' Aalen-Johansen fitter does not
jitter. On that untied cohort it times our bootstrap of the 1- and 2-year KM survival and
cumulative incidence of local failure, and refits lifelines (KaplanMeierFitter,
AalenJohansenFitter) on the first ``--lifelines-reps`` of the same replicates, passing each
replicate's patient multiplicities as frequency weights (duplicated rows would create ties).
Prints replicates per second, the speed-up and the largest difference between the two, and
exits non-zero unless the speed-up reaches ``--min-speed-up`` (50x, the target at the trial's
size; with tens of thousands of patients each lifelines fit is itself vectorised over rows and
the gap narrows) and the difference is at most 1e-10.
"""

from __future__ import annotations

import argparse
import sys
import time as clock

import numpy as np
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis.bootstrap import cluster_bootstrap, cluster_weights
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date

YEAR = 365.25
AT = np.array([YEAR, 2 * YEAR])
MAX_DIFF = 1e-10


def trial_cohort(n_patients: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lesion-level (days, status, patient) of the LF endpoint of the workflow's synthetic trial.

    The same generator and derivations as `snakemake` (default config, `n_patients` patients;
    more sites for large cohorts, since patient numbers have three digits per site).
    """
    c = config.load(simulation={"n_patients": n_patients, "n_sites": max(6, -(-n_patients // 400))})
    trial = simulate_trial(c["simulation"], seed)
    lf = derive_all(trial, c, latest_date(trial))["adtte"].query("PARAMCD == 'LF'")
    patient = np.unique(lf["USUBJID"].to_numpy(), return_inverse=True)[1]
    return lf["AVAL"].to_numpy(float), lf["EVNT"].to_numpy(), patient


def untie(days: np.ndarray, seed: int) -> np.ndarray:
    """Distinct times: a different fraction of a day per record keeps the order across days."""
    rng = np.random.default_rng(seed)
    return days + (rng.permutation(days.size) + 0.5) / days.size


def lifelines_estimate(
    days: np.ndarray, status: np.ndarray, copies: np.ndarray, estimator: str
) -> np.ndarray:
    keep = copies > 0
    t, s, w = days[keep], status[keep], copies[keep].astype(float)
    if estimator == "km":
        fit = KaplanMeierFitter().fit(t, s == 1, weights=w)
    else:
        fit = AalenJohansenFitter(calculate_variance=False).fit(t, s, 1, weights=w)
    return fit.predict(AT).to_numpy()


def compare(
    days: np.ndarray, status: np.ndarray, patient: np.ndarray, estimator: str, args
) -> tuple[float, float]:
    """Speed-up and maximum absolute difference for one estimator."""
    started = clock.perf_counter()
    ours = cluster_bootstrap(
        days, status, patient, AT, seed=args.seed, estimator=estimator, reps=args.reps
    )
    ours_rate = args.reps / (clock.perf_counter() - started)

    n_ref = min(args.lifelines_reps, args.reps)
    weights = next(cluster_weights(np.unique(patient).size, n_ref, args.seed, n_ref))
    index = np.unique(patient, return_inverse=True)[1]
    started = clock.perf_counter()
    reference = np.array(
        [lifelines_estimate(days, status, w[index].astype(int), estimator) for w in weights]
    )
    ref_rate = n_ref / (clock.perf_counter() - started)

    diff = float(np.abs(reference - ours.replicates[:n_ref]).max())
    speed_up = ours_rate / ref_rate
    print(
        f"{estimator.upper():>3}: ours {ours_rate:12,.0f} reps/s"
        f" | lifelines {ref_rate:8,.1f} reps/s"
        f" | speed-up {speed_up:8,.0f}x | max |diff| {diff:.2e} over {n_ref} reps x {AT.size}"
        f" times | estimate {np.round(ours.estimate, 4)}"
    )
    return speed_up, diff


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--lifelines-reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--min-speed-up", type=float, default=50.0)
    args = parser.parse_args()

    days, status, patient = trial_cohort(args.patients, args.seed)
    print(
        f"cohort: {args.patients} patients, {days.size} lesions, "
        f"{np.mean(status == 1):.1%} local failures, {np.mean(status == 2):.1%} competing deaths,"
        f" {np.unique(days[status != 0]).size} distinct event days up to {days.max():.0f}; "
        f"B = {args.reps}"
    )
    untied = untie(days, args.seed)
    results = [compare(untied, status, patient, est, args) for est in ("km", "cif")]
    ok = all(s >= args.min_speed_up and d <= MAX_DIFF for s, d in results)
    verdict = "PASS" if ok else "FAIL"
    print(f"{verdict}: speed-up >= {args.min_speed_up:g}x and max |diff| <= {MAX_DIFF:g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
