"""Efficacy rates, medians, the primary decision and the failure pattern on small cohorts."""

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from sbrtlung.analysis import efficacy
from sbrtlung.analysis.estimators import (
    aalen_johansen,
    cif_at,
    cif_cluster_variance,
    complement_loglog_ci,
)
from sbrtlung.study import Horizon

HORIZON = Horizon(730.5, 365.25, 30.4375)
TIMES = HORIZON.times


def make(n_patients=40, seed=1):
    """ADSL + ADTTE with every endpoint: 1-3 lesions per patient, ties on purpose."""
    rng = np.random.default_rng(seed)
    ids = [f"S01-{i:03d}" for i in range(1, n_patients + 1)]
    adsl = pd.DataFrame(
        {
            "USUBJID": ids,
            "SAFFL": True,
            "EFFFL": rng.random(n_patients) < 0.9,
            "PPFL": rng.random(n_patients) < 0.8,
        }
    )
    rows = []
    for pid in ids:
        for paramcd in ("OS", "PFS", "LFPT", "RR", "DM"):
            evnt = int(rng.choice([0, 1, 2] if paramcd not in ("OS", "PFS") else [0, 1]))
            rows.append((pid, None, paramcd, int(rng.integers(30, 1200)) // 30 * 30, evnt))
        for k in range(int(rng.integers(1, 4))):
            evnt = int(rng.choice([0, 0, 0, 1, 2]))
            rows.append((pid, f"L{k + 1}", "LF", int(rng.integers(30, 1200)) // 30 * 30, evnt))
    adtte = pd.DataFrame(rows, columns=["USUBJID", "LESID", "PARAMCD", "AVAL", "EVNT"])
    adtte["CNSR"] = (adtte["EVNT"] != 1).astype(int)
    return adsl, adtte


@pytest.fixture(scope="module")
def table():
    adsl, adtte = make()
    return adsl, adtte, efficacy.rates(adtte, adsl, TIMES, reps=200, seed=7, alpha_one_sided=0.05)


def get(table, key, time="2y"):
    return table[(table["key"] == key) & (table["time"] == time)].iloc[0]


def test_km_rates_match_lifelines(table):
    _, adtte, rates = table
    for key, paramcd in (("os", "OS"), ("pfs", "PFS")):
        rows = adtte[adtte["PARAMCD"] == paramcd]
        kmf = KaplanMeierFitter().fit(rows["AVAL"], rows["CNSR"] == 0)
        for name, t in TIMES.items():
            row = get(rates, key, name)
            assert row["estimate"] == pytest.approx(kmf.survival_function_at_times(t).iloc[0])
            ci = kmf.confidence_interval_survival_function_
            lower = ci[ci.index <= t].iloc[-1]
            assert (row["lower95"], row["upper95"]) == pytest.approx(tuple(lower), rel=1e-9)
            assert row["ci_method"] == "log(\u2212log) Greenwood"


def test_local_control_is_the_complement_of_the_cif(table):
    _, adtte, rates = table
    lf = adtte[adtte["PARAMCD"] == "LF"]
    cif = cif_at(aalen_johansen(lf["AVAL"].to_numpy(float), lf["EVNT"].to_numpy()), 730.5)
    row = get(rates, "lcr")
    assert row["estimate"] == pytest.approx(1 - cif)
    assert row["decision_level"] == pytest.approx(0.90)
    assert row["lower95"] < row["lower_decision"] < row["estimate"] < row["upper_decision"]
    assert row["upper_decision"] < row["upper95"]
    assert row["n_units"] == len(lf) and row["n_patients"] == lf["USUBJID"].nunique()
    assert row["ci_method"] == "patient-cluster infinitesimal jackknife, log(\u2212log)"
    # The bootstrap sensitivity row has the same estimate and its own percentile limits.
    boot = get(rates, "lcr_bootstrap")
    assert boot["estimate"] == row["estimate"]
    assert boot["ci_method"] == "patient-cluster percentile bootstrap"
    assert boot["lower95"] <= boot["lower_decision"] <= boot["estimate"] <= boot["upper_decision"]
    # The same bootstrap replicates give the CIF's limits mirrored.
    incidence = get(rates, "local_recurrence")
    assert 0 <= incidence["lower95"] <= incidence["estimate"] <= incidence["upper95"] <= 1


def test_populations_restrict_the_units(table):
    adsl, adtte, rates = table
    eff = adsl.loc[adsl["EFFFL"], "USUBJID"]
    expected = ((adtte["PARAMCD"] == "LF") & adtte["USUBJID"].isin(eff)).sum()
    assert get(rates, "lcr_eff")["n_units"] == expected
    assert get(rates, "lcr_pp")["n_units"] < get(rates, "lcr")["n_units"]


def test_primary_rate_and_its_sensitivity_sets_use_the_cluster_ij_interval(table):
    adsl, adtte, rates = table
    for key, flag in (("lcr", "SAFFL"), ("lcr_eff", "EFFFL"), ("lcr_pp", "PPFL")):
        members = adsl.loc[adsl[flag], "USUBJID"]
        lf = adtte[(adtte["PARAMCD"] == "LF") & adtte["USUBJID"].isin(members)]
        cif, variance = cif_cluster_variance(
            lf["AVAL"].to_numpy(float), lf["EVNT"].to_numpy(), lf["USUBJID"].to_numpy(), [730.5]
        )
        expected = complement_loglog_ci(cif, variance, 0.90)
        row = get(rates, key)
        assert row["ci_method"] == efficacy.CI_METHODS["cluster_ij"]
        assert (row["estimate"], row["lower_decision"], row["upper_decision"]) == pytest.approx(
            (expected.estimate[0], expected.lower[0], expected.upper[0]), abs=1e-15
        )


def test_alpha_sets_the_decision_level_and_nothing_else():
    adsl, adtte = make()
    strict = efficacy.rates(adtte, adsl, TIMES, reps=200, seed=7, alpha_one_sided=0.025)
    row = get(strict, "lcr")
    assert row["decision_level"] == pytest.approx(0.95)
    assert (row["lower_decision"], row["upper_decision"]) == (row["lower95"], row["upper95"])
    default = efficacy.rates(adtte, adsl, TIMES, reps=200, seed=7, alpha_one_sided=0.05)
    limits = ["estimate", "lower95", "upper95"]
    pd.testing.assert_frame_equal(strict[limits], default[limits])
    with pytest.raises(ValueError, match="alpha"):
        efficacy.decision_level(0.5)


def test_rate_beyond_follow_up_is_missing_not_carried_forward():
    adsl, adtte = make(10)
    adtte["AVAL"] = np.minimum(adtte["AVAL"], 500)
    out = efficacy.rates(adtte, adsl, TIMES, reps=50, seed=1, alpha_one_sided=0.05)
    assert out.loc[out["time"] == "2y", "estimate"].isna().all()
    assert out.loc[out["time"] == "1y", "estimate"].notna().all()


def test_bootstrap_is_seeded(table):
    adsl, adtte, rates = table
    again = efficacy.rates(adtte, adsl, TIMES, reps=200, seed=7, alpha_one_sided=0.05)
    pd.testing.assert_frame_equal(rates, again)
    other = efficacy.rates(adtte, adsl, TIMES, reps=200, seed=8, alpha_one_sided=0.05)
    assert not np.allclose(other["lower95"].dropna(), rates["lower95"].dropna())


def test_primary_decision_by_each_rule_uses_its_lower_decision_limit(table):
    rates = table[2]
    primary, boot = get(rates, "lcr"), get(rates, "lcr_bootstrap")
    decided = efficacy.primary_decision(rates, "2y", primary["lower_decision"] - 1e-9)
    assert decided["success"] and decided["rule"] == "cluster_ij"
    assert decided["rules"]["cluster_ij"]["lower"] == primary["lower_decision"]
    assert decided["rules"]["percentile_bootstrap"]["lower"] == boot["lower_decision"]
    assert not efficacy.primary_decision(rates, "2y", primary["lower_decision"])["success"]
    between = (boot["lower_decision"] + primary["lower_decision"]) / 2
    split = efficacy.primary_decision(rates, "2y", between)["rules"]
    assert split["cluster_ij"]["success"] != split["percentile_bootstrap"]["success"]


def test_a_missing_limit_never_rejects():
    assert not efficacy.rejects(float("nan"), 0.8)
    assert efficacy.rejects(0.81, 0.8) and not efficacy.rejects(0.8, 0.8)


def test_medians_and_follow_up(table):
    adsl, adtte, _ = table
    out = efficacy.medians(adtte, adsl, 30.4375).set_index("key")
    rows = adtte[adtte["PARAMCD"] == "OS"]
    kmf = KaplanMeierFitter().fit(rows["AVAL"], rows["CNSR"] == 0)
    assert out.loc["os", "days"] == pytest.approx(kmf.median_survival_time_)
    reverse = KaplanMeierFitter().fit(rows["AVAL"], rows["EVNT"] != 1)
    assert out.loc["follow_up", "days"] == pytest.approx(reverse.median_survival_time_)
    assert out.loc["follow_up", "months"] == pytest.approx(out.loc["follow_up", "days"] / 30.4375)


def test_failure_pattern_groups_same_day_sites():
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "SAFFL": [True, True, True, False]})
    adtte = pd.DataFrame(
        [
            ("A", "LFPT", 100, 1),
            ("A", "RR", 100, 1),  # same day as the local failure: together
            ("A", "DM", 300, 1),  # later: not a first failure
            ("B", "LFPT", 50, 2),
            ("B", "DM", 20, 1),
            ("C", "RR", 40, 0),
            ("D", "DM", 10, 1),  # not in the safety set
        ],
        columns=["USUBJID", "PARAMCD", "AVAL", "EVNT"],
    )
    out = efficacy.failure_pattern(adtte, adsl).set_index("first_failure")["n"]
    assert out["local + regional"] == 1 and out["distant"] == 1 and out["no failure"] == 1
    assert out.sum() == 3


def test_analyse_gives_every_result_of_the_rule(table):
    adsl, adtte, rates = table
    result = efficacy.analyse(
        adtte,
        adsl,
        horizon=HORIZON,
        reps=200,
        seed=7,
        lcr_null=0.8,
        alpha_one_sided=0.05,
    )
    pd.testing.assert_frame_equal(result.rates, rates)
    assert result.primary == efficacy.primary_decision(rates, Horizon.KEY, 0.8)
    pd.testing.assert_frame_equal(result.medians, efficacy.medians(adtte, adsl, 30.4375))
    pd.testing.assert_frame_equal(result.pattern, efficacy.failure_pattern(adtte, adsl))
