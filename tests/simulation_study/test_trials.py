"""Simulation study of the design: replicates through the library, Monte Carlo summaries by
hand, and the `simulation_study` Snakemake target on a tiny config in a scratch copy."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis import efficacy
from sbrtlung.simulation_study import trials as simulation_study
from sbrtlung.synthetic.simulate import simulate_trial, write_exports
from sbrtlung.validation.gate import validate_exports
from sbrtlung.validation.period import latest_date
from tests.workflow.test_workflow import workflow_copy

TINY = {"replicates": 2, "batches": 1, "bootstrap_reps": 20}


def study_config(seed: int = 20240601, **study) -> dict:
    return config.load(seed=seed, simulation_study=TINY | study)


@pytest.fixture(scope="module")
def two_replicates() -> pd.DataFrame:
    return simulation_study.run_batch(study_config(), 1)


def test_replicates_run_through_the_library(two_replicates):
    results = two_replicates
    assert list(results.columns) == simulation_study.RESULT_COLUMNS
    assert len(results) == 2 * 2 * len(
        simulation_study.RATE_TRUTHS
    )  # scenarios x replicates x rates
    assert set(results["scenario"]) == {"H0", "H1"}
    assert (results["n_patients"] <= simulation_study.planned_patients(study_config())).all()
    assert results[["estimate", "lower95", "upper95"]].stack().between(0, 1).all()
    assert (results["lower95"] <= results["estimate"]).all()
    assert (results["estimate"] <= results["upper95"]).all()
    assert (results["lower95"] <= results["lower_decision"]).all()
    assert (results["upper_decision"] <= results["upper95"]).all()


@pytest.mark.parametrize("scenario", ["H0", "H1"])
def test_the_fast_path_gives_the_rows_of_the_whole_derivation_path(scenario):
    """Same seeds, same trial: the study's arrays straight from the endpoint definitions give
    exactly the rows of every export, every analysis dataset and `efficacy.rates`."""
    c = study_config(bootstrap_reps=200)
    sim = simulation_study.scenario_simulation(c, scenario)
    for replicate in (1, 2, 3):
        seeds = simulation_study.replicate_seeds(c["seed"], scenario, replicate)
        fast = simulation_study.analyse_replicate(c, sim, seeds)
        pd.testing.assert_frame_equal(fast, simulation_study.analyse_replicate_full(c, sim, seeds))
        assert sorted(fast["key"]) == sorted(simulation_study.RATE_TRUTHS)


def test_same_seed_same_results_other_seed_other_results(two_replicates):
    pd.testing.assert_frame_equal(simulation_study.run_batch(study_config(), 1), two_replicates)
    other = simulation_study.run_batch(study_config(seed=7), 1)
    assert not np.allclose(other["estimate"], two_replicates["estimate"])


def test_a_replicate_does_not_depend_on_the_batching(two_replicates):
    second = simulation_study.run_batch(study_config(batches=2), 2)
    assert set(second["replicate"]) == {2}
    expected = two_replicates[two_replicates["replicate"] == 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(second, expected)


def test_bootstrap_replicates_default_to_the_analysis():
    assert simulation_study.bootstrap_reps(config.load(bootstrap_reps=300)) == 300
    assert simulation_study.bootstrap_reps(study_config()) == TINY["bootstrap_reps"]


def test_batches_are_contiguous_blocks_covering_every_replicate_once():
    blocks = [list(simulation_study.batch_replicates(10, 4, b)) for b in range(1, 5)]
    assert blocks == [[1, 2, 3], [4, 5, 6], [7, 8], [9, 10]]
    assert list(simulation_study.batch_replicates(5, 1, 1)) == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="batches"):
        simulation_study.batch_replicates(3, 4, 1)
    with pytest.raises(ValueError, match="batch"):
        simulation_study.batch_replicates(10, 4, 5)


def test_seeds_differ_by_scenario_and_replicate():
    seeds = {simulation_study.replicate_seeds(1, s, r) for s in ("H0", "H1") for r in range(1, 51)}
    assert len(seeds) == 100
    assert len({seed for pair in seeds for seed in pair}) == 200
    assert simulation_study.replicate_seeds(1, "H0", 3) == simulation_study.replicate_seeds(
        1, "H0", 3
    )
    assert simulation_study.replicate_seeds(1, "H0", 3) != simulation_study.replicate_seeds(
        2, "H0", 3
    )


def test_monte_carlo_standard_errors_by_hand():
    assert simulation_study.binomial_mcse(0.05, 1000) == pytest.approx(
        math.sqrt(0.05 * 0.95 / 1000)
    )
    assert simulation_study.binomial_mcse(0.05, 1000) == pytest.approx(0.006892, abs=1e-6)
    # values 1, 2, 3, 4: SD = sqrt(5/3), SE of the mean = SD / 2
    assert simulation_study.mean_mcse(np.array([1.0, 2, 3, 4])) == pytest.approx(
        math.sqrt(5 / 3) / 2
    )
    # SE of the empirical SE: EmpSE / sqrt(2 (R - 1))
    assert simulation_study.empirical_se_mcse(0.04, 1001) == pytest.approx(0.04 / math.sqrt(2000))


def hand_made(scenario: str, decisions: list[bool]) -> pd.DataFrame:
    """Five replicates of every rate: truth 0.8 covered twice, missed above and below once,
    and a fifth replicate not estimable. The decision limits of the rules' rates give
    `decisions` (the primary rule) and the opposite (the bootstrap rule) against H0 80%."""
    rows = {
        "estimate": [0.78, 0.84, 0.85, 0.75, np.nan],
        "lower95": [0.70, 0.81, 0.79, 0.60, np.nan],
        "upper95": [0.86, 0.90, 0.95, 0.79, np.nan],
    }
    frames = []
    for key in simulation_study.RATE_TRUTHS:
        frames.append(
            pd.DataFrame(rows).assign(
                scenario=scenario,
                replicate=range(1, 6),
                key=key,
                lower_decision=[decision_limit(key, d) for d in decisions],
                upper_decision=np.nan,
                n_patients=66,
                n_units=[100, 110, 90, 100, 100],
                n_events_by_time=[20, 10, 15, 25, 0],
            )
        )
    return pd.concat(frames, ignore_index=True)[simulation_study.RESULT_COLUMNS]


def decision_limit(key: str, rejects: bool) -> float:
    """A lower decision limit above H0 (0.8) iff the rule rejects; the bootstrap rule of the
    hand-made table decides the opposite way; other rates have no decision."""
    if key == "lcr_bootstrap":
        rejects = not rejects
    return (0.85 if rejects else 0.75) if key in simulation_study.RULES.values() else np.nan


@pytest.fixture
def hand_summary() -> pd.DataFrame:
    results = pd.concat(
        [
            hand_made("H0", [True, False, False, False, False]),
            hand_made("H1", [True, True, True, False, True]),
        ]
    )
    truths = {
        s: dict.fromkeys(simulation_study.RATE_TRUTHS, 0.8) for s in simulation_study.SCENARIOS
    }
    nominal = {"H0": 0.05, "H1": 0.8}
    return simulation_study.summarise(results, truths, {"H0": 0.8, "H1": 0.9}, nominal, 0.8)


def measure(summary: pd.DataFrame, scenario: str, key: str, name: str) -> pd.Series:
    rows = summary[(summary["scenario"] == scenario) & (summary["key"] == key)]
    return rows[rows["measure"] == name].iloc[0]


def test_coverage_bias_and_empirical_se_of_a_hand_made_table(hand_summary):
    estimates = np.array([0.78, 0.84, 0.85, 0.75])
    coverage = measure(hand_summary, "H0", "lcr", "coverage95")
    assert coverage["value"] == 0.5 and coverage["n_replicates"] == 4
    assert coverage["mcse"] == pytest.approx(math.sqrt(0.25 / 4))
    assert measure(hand_summary, "H0", "lcr", "above95")["value"] == 0.25  # 0.81-0.90
    assert measure(hand_summary, "H0", "lcr", "below95")["value"] == 0.25  # 0.60-0.79
    bias = measure(hand_summary, "H1", "os", "bias")
    assert bias["value"] == pytest.approx(0.805 - 0.8)
    assert bias["mcse"] == pytest.approx(np.std(estimates, ddof=1) / 2)
    assert bias["target"] == 0 and bias["truth"] == 0.8
    empirical = measure(hand_summary, "H0", "pfs", "empirical_se")
    assert empirical["value"] == pytest.approx(np.std(estimates, ddof=1))
    assert empirical["mcse"] == pytest.approx(empirical["value"] / math.sqrt(6))
    width = measure(hand_summary, "H0", "lcr", "mean_width95")
    assert width["value"] == pytest.approx(np.mean([0.16, 0.09, 0.16, 0.19]))
    assert measure(hand_summary, "H0", "lcr", "mean_events")["value"] == 14  # all five


def test_rejection_rates_with_wilson_intervals(hand_summary):
    type1 = measure(hand_summary, "H0", "cluster_ij", "rejection_rate")
    assert type1["value"] == 0.2 and type1["n_replicates"] == 5
    assert type1["mcse"] == pytest.approx(math.sqrt(0.2 * 0.8 / 5))
    z, n, p = 1.959964, 5, 0.2
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert type1["mc_lower95"] == pytest.approx(centre - half, abs=1e-6)
    assert type1["mc_upper95"] == pytest.approx(centre + half, abs=1e-6)
    assert type1["target"] == 0.05 and type1["true_lcr_2y"] == 0.8
    assert measure(hand_summary, "H1", "cluster_ij", "rejection_rate")["value"] == 0.8
    assert measure(hand_summary, "H0", "percentile_bootstrap", "rejection_rate")["value"] == 0.8
    assert measure(hand_summary, "H1", "percentile_bootstrap", "rejection_rate")["value"] == 0.2


def test_a_replicate_without_a_decision_limit_counts_as_no_rejection(hand_summary):
    results = hand_made("H0", [True, True, True, True, True])
    results.loc[(results["key"] == "lcr") & (results["replicate"] == 5), "lower_decision"] = np.nan
    both = pd.concat([results, hand_made("H1", [True] * 5)])
    truths = {
        s: dict.fromkeys(simulation_study.RATE_TRUTHS, 0.8) for s in simulation_study.SCENARIOS
    }
    summary = simulation_study.summarise(
        both, truths, {"H0": 0.8, "H1": 0.9}, {"H0": 0.05, "H1": 0.8}, 0.8
    )
    assert measure(summary, "H0", "cluster_ij", "rejection_rate")["value"] == 0.8


def test_key_results_and_table_of_a_hand_made_summary(hand_summary):
    results = simulation_study.key_results(hand_summary, config.load())["simulation_study"]
    assert results["type_i_error"]["estimate"] == 0.2
    assert results["type_i_error"]["nominal"] == 0.05
    assert results["power"]["estimate"] == 0.8 and results["power"]["replicates"] == 5
    assert results["primary_rule"] == "cluster_ij"
    rules = results["rules"]
    assert rules["cluster_ij"]["type_i_error"] == results["type_i_error"]
    assert rules["percentile_bootstrap"]["type_i_error"]["estimate"] == 0.8
    assert rules["percentile_bootstrap"]["power"]["estimate"] == 0.2
    for rule in ("cluster_ij", "percentile_bootstrap"):
        for name in ("type_i_error", "power", "coverage95_h0", "coverage95_h1"):
            assert set(rules[rule][name]) >= {"estimate", "mcse", "mc_ci95", "replicates"}
        assert rules[rule]["coverage95_h1"]["estimate"] == 0.5
    assert results["rates"]["H1"]["lcr"]["coverage95"]["estimate"] == 0.5
    assert results["n_patients"] == 66
    printed = simulation_study.results_table(hand_summary)
    table = printed.frame
    lines = printed.markdown.splitlines()  # the paper names each quantity once, on its first row
    assert sum(simulation_study.RULE_LABELS["cluster_ij"] in line for line in lines) == 1
    assert list(table.columns) == ["Quantity", "Measure", "H0: true LCR 80%", "H1: true LCR 90%"]
    type1 = measure(hand_summary, "H0", "cluster_ij", "rejection_rate")
    low, high = (f"{100 * type1[c]:.1f}" for c in ("mc_lower95", "mc_upper95"))
    assert table.iloc[0, 2] == f"20.0 ({low}\u2013{high})"
    assert table.iloc[1].tolist()[2:] == ["5.0 (one-sided alpha)", "80.0 (power)"]
    assert table.iloc[2, 0] == simulation_study.RULE_LABELS["percentile_bootstrap"]
    assert table.iloc[2, 2].startswith("80.0 (")
    coverage = table[table["Measure"].str.startswith("Coverage")]
    assert len(coverage) == len(simulation_study.RATE_TRUTHS)
    assert (coverage["H0: true LCR 80%"] == "50.0 (25.0)").all()


def test_gather_refuses_missing_or_duplicated_replicates(two_replicates):
    c = study_config()
    with pytest.raises(ValueError, match="exactly once"):
        simulation_study.gather(two_replicates[two_replicates["replicate"] == 1], c)
    with pytest.raises(ValueError, match="exactly once"):
        simulation_study.gather(pd.concat([two_replicates, two_replicates.iloc[:1]]), c)


def test_snakemake_target_on_a_tiny_study(tmp_path):
    folder = workflow_copy(tmp_path / "wf")
    tiny = "simulation_study:\n  replicates: 4\n  batches: 2\n  bootstrap_reps: 50\n"
    (folder / "tiny.yaml").write_text(tiny)

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
        command += ["--configfile", "tiny.yaml"]  # last: it takes several values
        return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)

    planned = run("--dry-run")  # the default target: the supplement shows the study
    assert planned.returncode == 0, planned.stderr[-3000:]
    assert "simulation_study_batch" in planned.stdout
    done = run("simulation_study")
    assert done.returncode == 0, done.stderr[-3000:]
    results = folder / "results"
    assert sorted(p.name for p in (results / "simulation_study" / "batches").iterdir()) == [
        "1.csv",
        "2.csv",
    ]
    key = json.loads((results / "simulation_study" / "key_results.json").read_text())
    study = key["simulation_study"]
    assert study["type_i_error"]["replicates"] == study["power"]["replicates"] == 4
    assert study["n_patients"] == 66 and study["bootstrap_reps"] == 50
    summary = pd.read_csv(results / "simulation_study" / "summary.csv")
    assert set(summary["key"]) == {*simulation_study.RULES, *simulation_study.RATE_TRUTHS}
    table = (results / "tables" / "simulation_study.md").read_text()
    assert table.startswith("| Quantity | Measure | H0: true LCR 80% | H1: true LCR 90% |")
    rows = 3 + 5 * len(simulation_study.RATE_TRUTHS)  # two rules' rows and five per rate
    assert pd.read_csv(results / "tables" / "simulation_study.csv").shape[0] == rows
    for ext in ("png", "pdf"):
        assert (results / "figures" / f"simulation_study.{ext}").stat().st_size > 10_000
    # The study reads no trial data, but like every result it waits for the gate to pass.
    assert (results / "validated" / "patients.parquet").exists()
    assert not (results / "adam").exists()


def test_direct_tables_give_the_rates_of_the_csv_files_and_the_gate(tmp_path):
    """The study skips the CSV round trip and the gate: it must not change any number."""
    c = study_config()
    sim = simulation_study.scenario_simulation(c, "H0")
    seeds = simulation_study.replicate_seeds(c["seed"], "H0", 1)
    direct = simulation_study.analyse_replicate(c, sim, seeds)
    write_exports(simulate_trial(sim, seeds[0]), tmp_path)
    tables, findings = validate_exports(tmp_path, c)
    assert not (findings["severity"] == "FATAL").any()
    adam = derive_all(tables, c, latest_date(tables))
    reps = c["simulation_study"]["bootstrap_reps"]
    times = {"2y": c["horizon_days"]}
    gated = efficacy.rates(adam["adtte"], adam["adsl"], times, reps, seeds[1], 0.05)
    gated = gated[gated["key"].isin(list(simulation_study.RATE_TRUTHS))].reset_index(drop=True)
    pd.testing.assert_frame_equal(direct, gated)
