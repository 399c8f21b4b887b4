"""Simulation study of the trial design: operating characteristics of the planned analysis.

Replicates of the synthetic trial (`sbrtlung.synthetic.simulate`) at the planned sample size
(`sbrtlung.analysis.design`) are analysed with the workflow's own estimators under two
scenarios: H0, the true 2-year LCR at the null (`hypothesis.lcr_null`), and H1, at the
alternative the study was sized for (`hypothesis.lcr_alternative`). Every other simulation
parameter is the config's `simulation` block. Both decision rules are applied to every trial:
the primary rule of SAP amendment 1.1 (lower limit of the 1 - 2 alpha cluster IJ log(-log)
interval above the null) and the percentile-bootstrap rule it replaced. A rule's rejection rate
under H0 is its type I error, under H1 its power; each 2-year rate is compared with its
population truth (`truth.true_values`) for bias, empirical SE and coverage of its 95% CI.
Definitions follow Morris, White and Crowther (Stat Med 2019; 38: 2074-2102).

Choices (docs/simulation_study.md):

- Seeds: replicate r of a scenario uses two seeds (trial, bootstrap) from
  `numpy.random.SeedSequence(seed, spawn_key=(scenario index, r))`, so a replicate's result
  does not depend on how the replicates are split into batches, and the scenarios and
  replicates use independent streams.
- The fast path (`analyse_replicate`): the simulator draws only the exports the endpoints
  read, and `adam.adtte.endpoint_arrays` interprets the same endpoint definitions as ADTTE
  straight into arrays, skipping the other analysis datasets and the CSV round trip; the
  rates come from `efficacy.rate_rows`, as in the workflow. `analyse_replicate_full` is the
  workflow's whole derivation path; tests check that both give identical rows.
- Bootstrap replicates per trial: the analysis's `bootstrap_reps` unless
  `simulation_study.bootstrap_reps` sets another number.
- Only the 2-year rates are estimated (the bootstrap of a rate at 2 years is the same whether
  or not 1 year is asked for as well).
- A replicate in which a rate or a CI limit is not estimable is left out of that measure's
  denominator (reported as `n_replicates`); a decision counts it as no rejection, as
  `efficacy.rejects` does.
- Monte Carlo SEs: sqrt(p (1 - p) / R) for a proportion (rejection rate, coverage), SD / sqrt(R)
  for a mean (mean estimate, bias, CI width), EmpSE / sqrt(2 (R - 1)) for the empirical SE.
  Monte Carlo 95% intervals: Wilson score for proportions, value +- 1.96 MCSE otherwise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest, norm

from sbrtlung.adam import derive_all
from sbrtlung.adam.adtte import EXPORTS_READ, endpoint_arrays
from sbrtlung.analysis import design, efficacy
from sbrtlung.formatter import Kind, interval, number
from sbrtlung.logs import progress
from sbrtlung.study import Horizon, synthetic_dates
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.synthetic.truth import RATE_TRUTHS, true_values
from sbrtlung.tables import Table, first_only, markdown_table

# Scenario -> the `hypothesis` key of its true 2-year LCR, and what its rejection rate is.
SCENARIOS = {"H0": "lcr_null", "H1": "lcr_alternative"}
REJECTION = {"H0": "type_i_error", "H1": "power"}
TARGET_NAMES = {"H0": "one-sided alpha", "H1": "power"}
LABELS = {rate.key: rate.label for rate in efficacy.RATES}
# Decision rules (key of the summary rows) -> the rate whose decision-level limit they test.
RULES = efficacy.DECISION_RULES
PRIMARY_RULE = efficacy.PRIMARY_RULE
RULE_LABELS = {
    "cluster_ij": "Primary rule: cluster IJ log(\u2212log) interval",
    "percentile_bootstrap": "Former rule: percentile bootstrap interval",
}
STUDY_RATES = tuple(rate for rate in efficacy.RATES if rate.key in RATE_TRUTHS)
HORIZON = Horizon.KEY
MC_LEVEL = 0.95
MC_Z = float(norm.ppf(0.5 + MC_LEVEL / 2))
# Columns of the per-replicate results (one row per scenario, replicate and rate).
RESULT_COLUMNS = [
    "scenario",
    "replicate",
    "key",
    "estimate",
    "lower95",
    "upper95",
    "lower_decision",
    "upper_decision",
    "n_patients",
    "n_units",
    "n_events_by_time",
]


def planned_patients(config: Mapping[str, Any]) -> int:
    """The planned number of enrolled patients (SAP 4 sample size from the config)."""
    return int(design.planned_sample_size(config["hypothesis"], config["sample_size"])["patients"])


def bootstrap_reps(config: Mapping[str, Any]) -> int:
    """Bootstrap replicates of each simulated trial: the study's own, else the analysis's."""
    return int(config["simulation_study"]["bootstrap_reps"] or config["bootstrap_reps"])


def scenario_simulation(config: Mapping[str, Any], scenario: str) -> dict[str, Any]:
    """The `simulation` block of one scenario: planned size, true LCR of the hypothesis."""
    return {
        **config["simulation"],
        "n_patients": planned_patients(config),
        "true_lcr_2y": float(config["hypothesis"][SCENARIOS[scenario]]),
    }


def study_design(config: Mapping[str, Any]) -> dict[str, Any]:
    """What the study simulates, from the configuration alone (results/design/): the planned
    trial size, the scenarios' true LCRs, replicates, batches, bootstrap replicates and seed,
    and `config`, the configuration every job of the study reads back (`read_design`)."""
    study = config["simulation_study"]
    return {
        "n_patients": planned_patients(config),
        "scenarios": {s: {"true_lcr_2y": config["hypothesis"][k]} for s, k in SCENARIOS.items()},
        "replicates": study["replicates"],
        "batches": study["batches"],
        "bootstrap_reps": bootstrap_reps(config),
        "seed": config["seed"],
        "config": dict(config),
    }


def read_design(path: str | Path) -> dict[str, Any]:
    """A design file written from `study_design`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def batch_replicates(replicates: int, batches: int, batch: int) -> range:
    """Replicate numbers (1-based) of one batch: contiguous blocks, sizes differing by <= 1."""
    if not 1 <= batches <= replicates:
        raise ValueError("batches must be between 1 and the number of replicates")
    if not 1 <= batch <= batches:
        raise ValueError(f"batch must be between 1 and {batches}")
    size, extra = divmod(replicates, batches)
    start = (batch - 1) * size + min(batch - 1, extra)
    return range(start + 1, start + size + (batch <= extra) + 1)


def replicate_seeds(seed: int, scenario: str, replicate: int) -> tuple[int, int]:
    """Seeds of the trial and of its bootstrap for one replicate of one scenario."""
    sequence = np.random.SeedSequence(seed, spawn_key=(list(SCENARIOS).index(scenario), replicate))
    trial, bootstrap = sequence.generate_state(2, dtype=np.uint32)
    return int(trial), int(bootstrap)


def analyse_replicate(
    config: Mapping[str, Any], sim: Mapping[str, Any], seeds: tuple[int, int]
) -> pd.DataFrame:
    """One synthetic trial's 2-year rates of `STUDY_RATES` by the fast path (`efficacy.rates`
    rows: the same columns and values as `analyse_replicate_full`)."""
    tables = simulate_trial(sim, seeds[0], EXPORTS_READ)
    arrays = endpoint_arrays(tables, {rate.paramcd for rate in STUDY_RATES})
    times = {HORIZON: config["horizon_days"]}
    level = efficacy.decision_level(config["hypothesis"]["alpha_one_sided"])
    rows = []
    for rate in STUDY_RATES:
        if rate.population != "SAF":
            raise ValueError(f"{rate.key}: the fast path analyses the safety set only")
        time, status, cluster = arrays[rate.paramcd]
        rows += efficacy.rate_rows(
            rate,
            time.astype(float),
            status,
            cluster,
            times,
            bootstrap_reps(config),
            seeds[1],
            level,
        )
    return pd.DataFrame(rows)


def analyse_replicate_full(
    config: Mapping[str, Any], sim: Mapping[str, Any], seeds: tuple[int, int]
) -> pd.DataFrame:
    """The same rows through the workflow's whole path: every export, every analysis dataset,
    `efficacy.rates` (the reference the fast path is tested and benchmarked against)."""
    cut = pd.Timestamp(synthetic_dates(sim)[1])  # the gate's data cut of a synthetic trial
    adam = derive_all(simulate_trial(sim, seeds[0]), config, cut)
    rates = efficacy.rates(
        adam["adtte"],
        adam["adsl"],
        {HORIZON: config["horizon_days"]},
        bootstrap_reps(config),
        seeds[1],
        config["hypothesis"]["alpha_one_sided"],
    )
    return rates[rates["key"].isin(list(RATE_TRUTHS))].reset_index(drop=True)


def run_batch(config: Mapping[str, Any], batch: int) -> pd.DataFrame:
    """Every scenario's replicates of one batch (RESULT_COLUMNS, one row per rate); the
    rule's log shows its progress."""
    study = config["simulation_study"]
    numbers = batch_replicates(study["replicates"], study["batches"], batch)
    simulations = {scenario: scenario_simulation(config, scenario) for scenario in SCENARIOS}
    trials = [(scenario, replicate) for scenario in SCENARIOS for replicate in numbers]
    frames = []
    for scenario, replicate in progress(trials, "simulated trials"):
        seeds = replicate_seeds(config["seed"], scenario, replicate)
        rows = analyse_replicate(config, simulations[scenario], seeds)
        frames.append(rows.assign(scenario=scenario, replicate=replicate))
    return pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]


def check_complete(results: pd.DataFrame, replicates: int) -> None:
    """Every scenario has every replicate 1..R exactly once per rate (a gather's guard)."""
    expected = pd.MultiIndex.from_product(
        [list(SCENARIOS), range(1, replicates + 1), list(RATE_TRUTHS)],
        names=["scenario", "replicate", "key"],
    )
    found = pd.MultiIndex.from_frame(results[["scenario", "replicate", "key"]])
    if found.has_duplicates or not found.sort_values().equals(expected.sort_values()):
        raise ValueError("the batches do not hold each replicate of each scenario exactly once")


def scenario_truths(config: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Population truth of every rate (RATE_TRUTHS keys) in every scenario."""
    truths = {}
    for scenario in SCENARIOS:
        values = true_values(scenario_simulation(config, scenario), config["horizon_days"])
        truths[scenario] = {key: values[name] for key, name in RATE_TRUTHS.items()}
    return truths


def binomial_mcse(p: float, n: int) -> float:
    """Monte Carlo SE of a proportion over n replicates."""
    return math.sqrt(p * (1 - p) / n)


def mean_mcse(values: np.ndarray) -> float:
    """Monte Carlo SE of a mean over replicates: SD / sqrt(n)."""
    return float(np.std(values, ddof=1) / math.sqrt(len(values)))


def empirical_se_mcse(empirical_se: float, n: int) -> float:
    """Monte Carlo SE of the empirical SE over n replicates."""
    return empirical_se / math.sqrt(2 * (n - 1))


def _measure(
    measure: str, value: float, mcse: float, n: int, successes: int | None = None
) -> dict[str, Any]:
    """One summary row: value, MCSE and Monte Carlo 95% interval."""
    if successes is None:
        half = MC_Z * mcse
        lower, upper = value - half, value + half
    else:
        lower, upper = binomtest(successes, n).proportion_ci(MC_LEVEL, method="wilson")
    return {
        "measure": measure,
        "value": value,
        "mcse": mcse,
        "mc_lower95": lower,
        "mc_upper95": upper,
        "n_replicates": n,
    }


def _proportion(measure: str, hits: np.ndarray) -> dict[str, Any]:
    n, k = len(hits), int(hits.sum())
    return _measure(measure, k / n, binomial_mcse(k / n, n), n, successes=k)


def _mean(measure: str, values: np.ndarray) -> dict[str, Any]:
    return _measure(measure, float(values.mean()), mean_mcse(values), len(values))


def rate_measures(rows: pd.DataFrame, truth: float) -> list[dict[str, Any]]:
    """Bias, empirical SE, 95% CI coverage (with misses on each side) and width of one rate.

    `rows` has one row per replicate (estimate, lower95, upper95); at least two estimable.
    """
    estimate = rows["estimate"].to_numpy(float)
    estimate = estimate[np.isfinite(estimate)]
    n = len(estimate)
    if n < 2:
        raise ValueError("at least two replicates with an estimate are needed")
    empirical_se = float(np.std(estimate, ddof=1))
    limits = rows[["lower95", "upper95"]].to_numpy(float)
    lower, upper = limits[np.isfinite(limits).all(axis=1)].T
    return [
        _mean("mean_estimate", estimate),
        _mean("bias", estimate - truth),
        _measure("empirical_se", empirical_se, empirical_se_mcse(empirical_se, n), n),
        _proportion("coverage95", (lower <= truth) & (truth <= upper)),
        _proportion("below95", upper < truth),
        _proportion("above95", lower > truth),
        _mean("mean_width95", upper - lower),
        _mean("mean_units", rows["n_units"].to_numpy(float)),
        _mean("mean_events", rows["n_events_by_time"].to_numpy(float)),
    ]


def summarise(
    results: pd.DataFrame,
    truths: Mapping[str, Mapping[str, float]],
    true_lcr: Mapping[str, float],
    nominal: Mapping[str, float],
    null: float,
) -> pd.DataFrame:
    """Performance measures of each decision rule and of every rate, per scenario (tidy).

    `truths[scenario][key]` is each rate's truth, `true_lcr[scenario]` the scenario's true
    LCR, `nominal[scenario]` the rejection rate the design aims at (alpha, power) and `null`
    the LCR under H0. A rule's rows have the rule as `key`. The `target` column is what a
    measure should be: the nominal rate, the truth, 0 or 95%.
    """
    records = []
    for scenario in SCENARIOS:
        own = results[results["scenario"] == scenario].sort_values("replicate", kind="stable")
        head = {"scenario": scenario, "true_lcr_2y": true_lcr[scenario]}
        for rule, key in RULES.items():
            lower = own.loc[own["key"] == key, "lower_decision"].to_numpy(float)
            decisions = np.array([efficacy.rejects(limit, null) for limit in lower])
            row = _proportion("rejection_rate", decisions) | {"target": nominal[scenario]}
            records.append(head | {"key": rule, "truth": true_lcr[scenario]} | row)
        for key in RATE_TRUTHS:
            truth = truths[scenario][key]
            targets = {"mean_estimate": truth, "bias": 0.0, "coverage95": MC_LEVEL}
            for row in rate_measures(own[own["key"] == key], truth):
                target = targets.get(row["measure"], np.nan)
                records.append(head | {"key": key, "truth": truth} | row | {"target": target})
    columns = ["scenario", "true_lcr_2y", "key", "truth", "measure", "target", "value", "mcse"]
    return pd.DataFrame(records)[[*columns, "mc_lower95", "mc_upper95", "n_replicates"]]


def gather(results: pd.DataFrame, config: Mapping[str, Any]) -> pd.DataFrame:
    """`summarise` of all batches, with the truths and design targets of the config."""
    check_complete(results, config["simulation_study"]["replicates"])
    hypothesis = config["hypothesis"]
    return summarise(
        results,
        scenario_truths(config),
        {scenario: hypothesis[name] for scenario, name in SCENARIOS.items()},
        {"H0": hypothesis["alpha_one_sided"], "H1": hypothesis["power"]},
        hypothesis["lcr_null"],
    )


def measure_row(summary: pd.DataFrame, scenario: str, key: str, measure: str) -> pd.Series:
    """The summary row of one measure of one rate or rule in one scenario."""
    mask = (summary["scenario"] == scenario) & (summary["key"] == key)
    return summary[mask & (summary["measure"] == measure)].iloc[0]


def _entry(row: pd.Series, kind: Kind = Kind.PROPORTION) -> dict:
    """A measure as key results hold it: estimate, MCSE, Monte Carlo 95% interval, replicates."""
    return {
        "kind": kind.value,
        "estimate": row["value"],
        "mcse": row["mcse"],
        "mc_ci95": [row["mc_lower95"], row["mc_upper95"]],
        "replicates": int(row["n_replicates"]),
    }


def _rule_results(summary: pd.DataFrame, rule: str) -> dict:
    """One rule's type I error and power, and the coverage of its 95% CI in each scenario."""
    out = {}
    for scenario, name in REJECTION.items():
        row = measure_row(summary, scenario, rule, "rejection_rate")
        out[name] = _entry(row) | {"nominal": row["target"], "true_lcr_2y": row["true_lcr_2y"]}
        coverage = measure_row(summary, scenario, RULES[rule], "coverage95")
        out[f"coverage95_{scenario.lower()}"] = _entry(coverage)
    return out


MEASURE_KINDS = {
    "mean_estimate": Kind.PROPORTION,
    "bias": Kind.PERCENTAGE_POINTS,
    "empirical_se": Kind.PERCENTAGE_POINTS,
    "coverage95": Kind.PROPORTION,
}


def key_results(summary: pd.DataFrame, config: Mapping[str, Any]) -> dict:
    """`{"simulation_study": {...}}`: per rule its type I error, power and 95% CI coverage
    (`rules`), the primary rule's type I error and power at the top, and per scenario every
    rate's truth, mean estimate, bias, empirical SE and 95% CI coverage, each with its MCSE
    and Monte Carlo 95% interval; trial size and mean lesions and events per trial."""

    def rate(scenario: str, key: str) -> dict:
        truth = measure_row(summary, scenario, key, "bias")["truth"]
        out: dict[str, Any] = {"truth": {"kind": Kind.PROPORTION.value, "value": truth}}
        for measure, kind in MEASURE_KINDS.items():
            out[measure] = _entry(measure_row(summary, scenario, key, measure), kind)
        for measure in ("mean_units", "mean_events"):
            value = measure_row(summary, scenario, key, measure)["value"]
            out[measure] = {"kind": Kind.NUMBER.value, "value": value}
        return out

    rules = {rule: _rule_results(summary, rule) for rule in RULES}
    out: dict[str, Any] = {
        "n_patients": planned_patients(config),
        "bootstrap_reps": bootstrap_reps(config),
        "replicates": config["simulation_study"]["replicates"],
        "seed": config["seed"],
        "primary_rule": PRIMARY_RULE,
        "rules": rules,
        "type_i_error": rules[PRIMARY_RULE]["type_i_error"],
        "power": rules[PRIMARY_RULE]["power"],
    }
    out["rates"] = {s: {key: rate(s, key) for key in RATE_TRUTHS} for s in SCENARIOS}
    return {"simulation_study": out}


@dataclass(frozen=True)
class StudySummary:
    """What the summary rule writes: the performance measures and the study's key results."""

    summary: pd.DataFrame
    key_results: dict


def analyse_batches(results: pd.DataFrame, config: Mapping[str, Any]) -> StudySummary:
    """`gather` the batches' rows into the performance measures and their key results."""
    summary = gather(results, config)
    return StudySummary(summary, key_results(summary, config))


def scenario_title(summary: pd.DataFrame, scenario: str) -> str:
    """'H0: true LCR 80%': the scenario and its true 2-year local control rate."""
    true_lcr = summary.loc[summary["scenario"] == scenario, "true_lcr_2y"].iloc[0]
    return f"{scenario}: true LCR {number(true_lcr, Kind.SETTING)}"


def _percent(value: float, decimals: int) -> str:
    """A proportion in percent (or percentage points) without the sign: '6.3', '−0.31'."""
    return number(value, Kind.PROPORTION, unit=False, decimals=decimals)


def _with_mcse(row: pd.Series, decimals: int) -> str:
    """A proportion-scale value and its MCSE in percentage points: '−0.31 (0.13)'."""
    return f"{_percent(row['value'], decimals)} ({_percent(row['mcse'], decimals)})"


def _with_mc_ci(row: pd.Series) -> str:
    """'6.3 (4.9–8.0)': a rejection rate in % with its Monte Carlo 95% interval."""
    limits = interval(row["mc_lower95"], row["mc_upper95"], Kind.PROPORTION)
    return f"{_percent(row['value'], 1)} ({limits})"


# Rows of the table: (measure label, summary measure, cell text); the first rule's rows also
# give the design target.
_DECISION_ROWS = (("Rejection rate, % (MC 95% CI)", "rejection_rate", _with_mc_ci),)
_TARGET_ROW = (
    "Design target, %",
    "rejection_rate",
    lambda r: f"{_percent(r['target'], 1)} ({TARGET_NAMES[r['scenario']]})",
)
_RATE_ROWS = (
    ("True value, %", "bias", lambda r: _percent(r["truth"], 1)),
    ("Bias, percentage points (MCSE)", "bias", partial(_with_mcse, decimals=2)),
    ("Empirical SE, percentage points (MCSE)", "empirical_se", partial(_with_mcse, decimals=2)),
    (
        "Mean width of the 95% CI, percentage points (MCSE)",
        "mean_width95",
        partial(_with_mcse, decimals=1),
    ),
    ("Coverage of the 95% CI, % (MCSE)", "coverage95", partial(_with_mcse, decimals=1)),
)


def results_table(summary: pd.DataFrame) -> Table:
    """The readable table: one column per scenario, measures in rows (%, percentage points)."""
    columns = {s: scenario_title(summary, s) for s in SCENARIOS}
    rule_rows = [(*_DECISION_ROWS, _TARGET_ROW)] + [_DECISION_ROWS] * (len(RULES) - 1)
    blocks = [(RULE_LABELS[r], r, rows) for r, rows in zip(RULES, rule_rows, strict=True)]
    blocks += [(LABELS[key], key, _RATE_ROWS) for key in RATE_TRUTHS]
    rows = []
    for quantity, key, specs in blocks:
        for label, measure, show in specs:
            cells = {columns[s]: show(measure_row(summary, s, key, measure)) for s in SCENARIOS}
            rows.append({"Quantity": quantity, "Measure": label} | cells)
    frame = pd.DataFrame(rows)
    return Table(frame, markdown_table(first_only(frame, "Quantity"), "llrr"))
