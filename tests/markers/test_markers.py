"""Marker descriptives, change tests, univariable Cox models, landmark cohort and REMARK counts."""

import math

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test
from scipy import stats

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.adam.adlb import derive_adlb
from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.adam.adtte import derive_adtte
from sbrtlung.formatter import p_value
from sbrtlung.markers import cox as marker_cox
from sbrtlung.markers import summary as markers
from sbrtlung.schemas import vocabulary as v
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date

LANDMARK = 61
BASELINE, EOT_VALUE = marker_cox.VARIABLES[0], marker_cox.VARIABLES[1]


def adlb_rows(values: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """ADLB columns the analyses read, for patients P01.. with `values[marker][timepoint][i]`
    the value of patient i (NaN: no row)."""
    rows = []
    for marker, by_time in values.items():
        for timepoint, column in by_time.items():
            for i, value in enumerate(column):
                if not math.isnan(value):
                    rows.append((f"P{i + 1:02d}", marker, timepoint, value))
    adlb = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "TIMEPOINT", "AVAL"])
    return adlb.assign(ADY=pd.array([10] * len(adlb), dtype="Int64"), LOG2CHG=np.nan)


NAN = float("nan")
HAND = {
    "crp": {
        "baseline": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, NAN],
        "end_of_treatment": [2.0, 2.5, 5.0, 3.0, 9.0, 8.0, 1.0],
        "one_month": [1.5, NAN, 4.0, 4.5, 7.0, 5.0, 2.0],
    },
    "nlr": {
        "baseline": [2.0, 3.0, 2.5, 4.0, 1.0, 6.0, 3.0],
        "end_of_treatment": [4.0, 3.0, 3.5, 6.0, 2.0, 5.0, 3.5],
        "one_month": [3.0, 2.0, 2.5, 5.0, 1.5, 7.0, 4.0],
    },
}


@pytest.fixture(scope="module")
def hand_adlb():
    return adlb_rows(HAND)


def complete(marker, timepoints):
    frame = pd.DataFrame({t: HAND[marker][t] for t in timepoints}).dropna()
    return [frame[t].to_numpy() for t in timepoints]


def test_descriptives_equal_numpy_quantiles(hand_adlb):
    table = markers.descriptives(hand_adlb).set_index(["marker", "timepoint"])
    for marker, by_time in HAND.items():
        for timepoint, column in by_time.items():
            values = np.array([x for x in column if not math.isnan(x)])
            row = table.loc[(marker, timepoint)]
            assert row["n"] == values.size
            expected = np.percentile(values, [50, 25, 75])
            assert row[["median", "q1", "q3"]].to_numpy(float) == pytest.approx(expected)
    assert table.loc[("wbc", "baseline"), "n"] == 0  # absent markers keep their rows
    assert len(table) == len(v.MARKERS) * len(v.TIMEPOINTS)


def test_friedman_uses_complete_patients_and_equals_scipy(hand_adlb):
    tests = markers.change_tests(hand_adlb).set_index(["marker", "test", "timepoint"])
    for marker in HAND:
        groups = complete(marker, v.TIMEPOINTS)
        expected = stats.friedmanchisquare(*groups)
        row = tests.loc[(marker, "friedman", "all")]
        assert row["n"] == len(groups[0])
        assert (row["statistic"], row["p"]) == pytest.approx(tuple(expected))
    assert tests.loc[("crp", "friedman", "all"), "n"] == 5  # P02 and P07 incomplete


@pytest.mark.parametrize("timepoint", ["end_of_treatment", "one_month"])
def test_wilcoxon_is_paired_against_baseline_and_equals_scipy(hand_adlb, timepoint):
    tests = markers.change_tests(hand_adlb).set_index(["marker", "test", "timepoint"])
    for marker in HAND:
        base, post = complete(marker, ["baseline", timepoint])
        expected = stats.wilcoxon(post, base)
        row = tests.loc[(marker, "wilcoxon", timepoint)]
        assert row["n"] == len(base)
        assert (row["statistic"], row["p"]) == pytest.approx(tuple(expected))


def test_benjamini_hochberg_equals_a_hand_computation():
    # Sorted p: 0.01, 0.03, 0.04, 0.2 (m = 4): p * m / rank = 0.04, 0.06, 0.0533, 0.2, then
    # the running minimum from the largest down: 0.04, 0.0533, 0.0533, 0.2.
    p = pd.Series([0.04, 0.01, np.nan, 0.2, 0.03], index=list("abcde"))
    q = markers.bh_q(p)
    expected = pd.Series([0.16 / 3, 0.04, np.nan, 0.2, 0.16 / 3], index=list("abcde"))
    pd.testing.assert_series_equal(q, expected)


def test_change_tests_share_one_fdr_family(hand_adlb):
    tests = markers.change_tests(hand_adlb)
    tested = tests.dropna(subset=["p"])
    assert len(tested) == 6  # 2 markers x (Friedman + 2 Wilcoxon); absent markers untested
    p = tested["p"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1)
    expected = np.empty(m)
    expected[order] = q_sorted
    assert tested["q"].to_numpy() == pytest.approx(expected)


def test_summary_has_descriptives_and_both_tests_per_row(hand_adlb):
    table = markers.summary(hand_adlb).set_index(["marker", "timepoint"])
    tests = markers.change_tests(hand_adlb).set_index(["marker", "test", "timepoint"])
    assert pd.isna(table.loc[("nlr", "baseline"), "wilcoxon_p"])
    assert (
        table.loc[("nlr", "one_month"), "wilcoxon_q"]
        == tests.loc[("nlr", "wilcoxon", "one_month"), "q"]
    )
    friedman_q = tests.loc[("nlr", "friedman", "all"), "q"]
    assert (table.xs("nlr")["friedman_q"] == friedman_q).all()


def test_summary_table_reads_in_plain_words(hand_adlb):
    printed = markers.summary_table(markers.summary(hand_adlb))
    assert "{#tbl-markers}" in printed.markdown and "NLR, neutrophil-to-lymphocyte ratio" in (
        printed.markdown
    )
    assert "| NLR, ratio | 3.00 (2.25\u20133.50) |" in printed.markdown
    table = printed.frame.set_index("Marker")
    nlr = table.loc["Neutrophil-to-lymphocyte ratio (NLR)"]
    assert nlr["Baseline"] == "3.00 (2.25–3.50)"  # median (Q1–Q3), as the caption says
    assert nlr["Patients, n"] == "7 / 7 / 7"
    assert table.loc["Platelet count", "Unit"] == "\u00d710\u2079/L"
    assert table.loc["Platelet count", "Friedman q"] == "NA"


def test_p_value():
    assert [p_value(p) for p in (0.0004, 0.001, 0.0456, np.nan)] == [
        "<0.001",
        "0.001",
        "0.046",
        "NA",
    ]


# --- Cox models -------------------------------------------------------------------------


def test_fit_equals_a_direct_lifelines_fit_on_standardised_data():
    rng = np.random.default_rng(4)
    n = 80
    x = rng.normal(2.0, 1.5, n)
    frame = pd.DataFrame(
        {
            "time": rng.exponential(400 * np.exp(-0.4 * x)).round() + 1,
            "event": rng.random(n) < 0.7,
            "x": x,
        }
    )
    result = marker_cox.fit_cox(frame)
    z = frame.assign(x=(x - x.mean()) / x.std(ddof=1))
    direct = CoxPHFitter().fit(z, "time", "event")
    row = direct.summary.loc["x"]
    assert result["hr"] == pytest.approx(row["exp(coef)"], rel=1e-9)
    assert result["lower"] == pytest.approx(row["exp(coef) lower 95%"], rel=1e-9)
    assert result["upper"] == pytest.approx(row["exp(coef) upper 95%"], rel=1e-9)
    assert result["p"] == pytest.approx(row["p"], rel=1e-9)
    ph = proportional_hazard_test(direct, z, time_transform="rank").summary["p"].iloc[0]
    assert result["ph_p"] == pytest.approx(ph, rel=1e-9)
    assert (result["n"], result["events"]) == (n, int(frame["event"].sum()))
    assert result["sd"] == pytest.approx(np.std(x, ddof=1))
    # Per SD: rescaling the covariate does not change the HR.
    assert marker_cox.fit_cox(frame.assign(x=3 * x + 7))["hr"] == pytest.approx(result["hr"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scaled_schoenfeld_residuals_equal_lifelines_with_heavy_ties(seed):
    """Our one-pass residuals against lifelines' own, on times with up to ~10 tied events
    and censorings at the same times (Efron's correction is where they could differ)."""
    rng = np.random.default_rng(seed)
    n = 150
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {"time": rng.integers(1, 16, n).astype(float), "event": rng.random(n) < 0.6, "x": x}
    )
    cph = CoxPHFitter().fit(frame, "time", "event")
    ours = marker_cox.scaled_schoenfeld(cph, frame)
    theirs = cph.compute_residuals(frame, "scaled_schoenfeld")
    assert frame.groupby("time")["event"].sum().max() >= 5
    assert len(ours) == frame["event"].sum()
    assert ours.index.tolist() == theirs.index.tolist()
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("frame", "note"),
    [
        (pd.DataFrame({"time": [5.0], "event": [True], "x": [1.0]}), "fewer than 2 patients"),
        (pd.DataFrame({"time": [5.0, 6.0], "event": [False] * 2, "x": [1, 2.0]}), "no event"),
        (pd.DataFrame({"time": [5.0, 6.0], "event": [True] * 2, "x": [1, 1.0]}), "no variation"),
        (  # complete separation: the higher x, the earlier the event, every time
            pd.DataFrame(
                {"time": np.arange(1.0, 13), "event": [True] * 12, "x": np.arange(12.0, 0, -1)}
            ),
            "did not converge",
        ),
    ],
)
def test_models_that_cannot_be_fitted_say_why_and_have_no_p(frame, note):
    result = marker_cox.fit_cox(frame)
    assert result["note"] == note
    assert np.isnan(result["p"]) and np.isnan(result["hr"])


def test_zeros_take_half_the_smallest_positive_value_before_log2():
    adlb = adlb_rows({"crp": {"baseline": [0.0, 0.4, 2.0], "one_month": [0.3, 0.0, 8.0]}})
    floors = marker_cox.zero_floors(adlb)
    assert floors["crp"] == pytest.approx(0.15)
    assert np.isnan(floors["nlr"])
    outcomes = pd.DataFrame(
        {"time": [10.0, 20.0, 30.0], "event": [True, False, True]},
        index=pd.Index(["P01", "P02", "P03"], name="USUBJID"),
    )
    known = pd.DataFrame({"crp": [0.0, 0.4, 2.0]}, index=outcomes.index)
    data = marker_cox.VariableData(outcomes, known, known)
    frame, zeros = marker_cox.model_data(data, "crp", "value", floors["crp"])
    assert zeros == 1
    assert frame["x"].to_numpy() == pytest.approx(np.log2([0.15, 0.4, 2.0]))
    change, none = marker_cox.model_data(data, "crp", "change", floors["crp"])
    assert none == 0 and change["x"].to_numpy() == pytest.approx([0.0, 0.4, 2.0])


# --- Landmark cohort on hand-built patients ---------------------------------------------------
# TRTSDY 10 for all: a value is known at the landmark when sampled by day 10 + 61 = 71.
# patient: (SAF, OS days, OS event, NLR at end of treatment, its study day)
LANDMARK_CASES = {
    "P01": (True, 61, 1, 2.0, 30),  # death on the landmark day: out
    "P02": (True, 61, 0, 2.0, 30),  # censored on the landmark day: out
    "P03": (True, 200, 0, 3.0, 71),  # alive beyond, sampled on the landmark day: in
    "P04": (True, 100, 1, 4.0, 72),  # in the cohort, sampled the day after: not known
    "P05": (True, 30, 1, 2.0, 25),  # death before: out
    "P06": (True, 62, 0, 1.0, 20),  # followed one day beyond: in
    "P07": (False, None, None, None, None),  # never treated
    "P08": (True, 300, 1, 8.0, 30),  # death after the landmark: in, an event
    "P09": (True, 150, 1, None, None),  # in the cohort, no value
}


@pytest.fixture(scope="module")
def landmark_case():
    ids = list(LANDMARK_CASES)
    saf = [LANDMARK_CASES[p][0] for p in ids]
    adsl = pd.DataFrame(
        {"USUBJID": ids, "SAFFL": saf, "TRTSDY": pd.array([10] * len(ids), dtype="Int64")}
    )
    adtte = pd.DataFrame(
        [
            (p, code, c[1], c[2])
            for p, c in LANDMARK_CASES.items()
            if c[0]
            for code in marker_cox.ENDPOINTS
        ],
        columns=["USUBJID", "PARAMCD", "AVAL", "EVNT"],
    )
    rows = []
    for p, c in LANDMARK_CASES.items():
        if c[3] is not None:
            rows.append((p, "nlr", "baseline", 2.0, 5, np.nan))
            rows.append((p, "nlr", "end_of_treatment", c[3], c[4], np.log2(c[3] / 2.0)))
    adlb = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "TIMEPOINT", "AVAL", "ADY", "LOG2CHG"])
    adlb["ADY"] = adlb["ADY"].astype("Int64")
    return adlb, adsl, adtte


def test_landmark_cohort_keeps_only_patients_event_free_beyond_it(landmark_case):
    data = marker_cox.variable_data(*landmark_case, "OS", EOT_VALUE, LANDMARK)
    assert list(data.outcomes.index) == ["P03", "P04", "P06", "P08", "P09"]
    assert data.outcomes["time"].tolist() == [139, 39, 1, 239, 89]  # time from the landmark
    assert data.outcomes["event"].tolist() == [False, True, False, True, True]


def test_landmark_uses_only_values_known_by_the_landmark_day(landmark_case):
    data = marker_cox.variable_data(*landmark_case, "OS", EOT_VALUE, LANDMARK)
    frame, _ = marker_cox.model_data(data, "nlr", "value", 0.5)
    assert list(frame.index) == ["P03", "P06", "P08"]
    assert frame["x"].tolist() == pytest.approx(np.log2([3.0, 1.0, 8.0]))
    assert frame["time"].tolist() == [139, 1, 239]


def test_remark_profile_counts_every_enrolled_patient_once(landmark_case):
    data = marker_cox.variable_data(*landmark_case, "OS", EOT_VALUE, LANDMARK)
    counts = marker_cox.profile(data, "nlr", n_enrolled=9, n_safety=8)
    assert counts == {
        "eligible": 9,
        "not_in_saf": 1,
        "not_in_landmark_cohort": 3,  # P01, P02, P05
        "sampled_after_landmark": 1,  # P04
        "missing_marker": 1,  # P09
        "analysed": 3,
        "events": 1,  # P08
    }
    baseline = marker_cox.variable_data(*landmark_case, "OS", BASELINE, LANDMARK)
    assert baseline.outcomes["time"].tolist() == [61, 61, 200, 100, 30, 62, 300, 150]
    counts = marker_cox.profile(baseline, "nlr", n_enrolled=9, n_safety=8)
    assert (counts["not_in_landmark_cohort"], counts["analysed"], counts["events"]) == (0, 7, 4)


def test_competing_death_censors_local_failure(landmark_case):
    adlb, adsl, adtte = landmark_case
    lfpt = adtte["PARAMCD"] == "LFPT"
    adtte = adtte.assign(EVNT=adtte["EVNT"].where(~lfpt | (adtte["USUBJID"] != "P08"), 2))
    data = marker_cox.variable_data(adlb, adsl, adtte, "LFPT", EOT_VALUE, LANDMARK)
    assert not data.outcomes.loc["P08", "event"]
    assert data.outcomes.loc["P08", "time"] == 239


# --- Every model on a small simulated trial ---------------------------------------------------


@pytest.fixture(scope="module")
def trial():
    cfg = config.load(simulation={"n_patients": 40})
    trial = simulate_trial(cfg["simulation"], 3)
    adam = derive_all(trial, cfg, latest_date(trial))
    adlb, adsl, adtte = adam["adlb"], adam["adsl"], adam["adtte"]
    cox, remark = marker_cox.marker_models(adlb, adsl, adtte, LANDMARK)
    return adlb, adsl, adtte, cox, remark


def test_every_model_is_there_once_with_q_over_all(trial):
    *_, cox, remark = trial
    n = len(marker_cox.ENDPOINTS) * len(marker_cox.VARIABLES) * len(v.MARKERS)
    assert len(cox) == len(remark) == n
    assert not cox.duplicated(["paramcd", "key"]).any()
    assert list(cox.columns) == marker_cox.COX
    pd.testing.assert_series_equal(cox["q"], markers.bh_q(cox["p"]), check_names=False)
    assert set(cox.loc[cox["timepoint"] == "baseline", "cohort"]) == {"baseline"}
    assert set(cox.loc[cox["timepoint"] != "baseline", "cohort"]) == {"landmark"}


def test_remark_lines_add_up_and_match_the_models(trial):
    *_, cox, remark = trial
    parts = remark[[*marker_cox.EXCLUSIONS, "analysed"]].sum(axis=1)
    assert (parts == remark["eligible"]).all()
    assert (remark["analysed"].to_numpy() == cox["n"].to_numpy()).all()
    assert (remark["events"].to_numpy() == cox["events"].to_numpy()).all()
    baseline = remark[remark["cohort"] == "baseline"]
    assert (baseline[["not_in_landmark_cohort", "sampled_after_landmark"]] == 0).all().all()


def test_model_refit_by_hand_from_adlb(trial):
    """OS ~ log2 baseline CRP, rebuilt directly from ADLB and ADTTE rows."""
    adlb, _, adtte, cox, _ = trial
    values = adlb[(adlb["PARAMCD"] == "crp") & (adlb["TIMEPOINT"] == "baseline")]
    os_ = adtte[adtte["PARAMCD"] == "OS"]
    data = os_.merge(values, on="USUBJID")
    frame = pd.DataFrame(
        {"time": data["AVAL_x"], "event": data["EVNT"] == 1, "x": np.log2(data["AVAL_y"])}
    )
    z = frame.assign(x=(frame["x"] - frame["x"].mean()) / frame["x"].std())
    direct = CoxPHFitter().fit(z, "time", "event").summary.loc["x"]
    row = cox[(cox["paramcd"] == "OS") & (cox["key"] == "crp_baseline")].iloc[0]
    assert row["n"] == len(frame)
    assert row["hr"] == pytest.approx(direct["exp(coef)"], rel=1e-9)


def test_key_results_hold_every_model_under_its_key(trial):
    *_, cox, _ = trial
    results = marker_cox.key_results(cox)["marker_cox"]
    assert set(results) == {"PFS", "OS", "LFPT"}
    entry = results["OS"]["nlr_change_one_month"]
    row = cox[(cox["paramcd"] == "OS") & (cox["key"] == "nlr_change_one_month")].iloc[0]
    assert entry["hr"] == row["hr"] and entry["ci95"] == [row["lower"], row["upper"]]
    assert set(entry) == {"kind", "hr", "ci95", "p", "q", "n", "events"}
    assert entry["kind"] == "hazard_ratio"
    assert "nlr_baseline" in results["PFS"] and "crp_end_of_treatment" in results["LFPT"]
    assert sum(len(keys) for keys in results.values()) == len(cox)


def test_tables_print_every_model_and_profile(trial):
    *_, cox, remark = trial
    table = marker_cox.cox_table(cox)
    assert len(table.frame) == len(cox)  # the data supplement: every model
    row = cox.iloc[0]
    expected = f"{row['hr']:.2f} ({row['lower']:.2f}–{row['upper']:.2f})"
    assert table.frame.iloc[0]["HR per SD (95% CI)"] == expected
    assert table.frame.iloc[0]["Patients / events"] == f"{row['n']} / {row['events']}"
    # The printed table: the baseline models, one row per marker, HR and q per endpoint.
    body = [line for line in table.markdown.splitlines() if line.startswith("| ")][2:]
    assert len(body) == cox.loc[cox["timepoint"] == "baseline", "marker"].nunique()
    assert "{#tbl-marker-cox}" in table.markdown and expected in table.markdown
    profile = marker_cox.remark_table(remark).frame
    assert len(profile) == len(marker_cox.ENDPOINTS) * len(marker_cox.VARIABLES)
    first = remark[(remark["paramcd"] == "PFS") & (remark["timepoint"] == "baseline")]
    low, high = first["analysed"].min(), first["analysed"].max()
    assert profile.iloc[0]["Analysed"] == (str(low) if low == high else f"{low}–{high}")


# --- Recovery of the generator's marker effect --------------------------------------------


@pytest.mark.slow
def test_adjusted_os_hazard_ratio_per_sd_of_log2_nlr_covers_the_truth():
    """The generator's log HR of death is per SD of log2 baseline NLR, conditional on CRP,
    ECOG and age (docs/synthetic_trial.md); a Cox model of the pipeline's standardised log2
    NLR adjusted for those must cover it. Only the analytes NLR and CRP need are derived."""
    truth = 0.5
    cfg = config.load(
        simulation={"n_patients": 4000, "n_sites": 20, "marker_log_hr": {"nlr_death": truth}}
    )
    tables = simulate_trial(cfg["simulation"], 7)
    labs = tables["labs"]
    tables["labs"] = labs[labs["analyte"].isin(["neutrophils", "lymphocytes", "crp"])]
    adles = derive_adles(tables)
    adsl = derive_adsl(tables, adles, cut=latest_date(tables))
    adtte = derive_adtte(tables, adsl, adles, cfg["month_days"])
    adlb = derive_adlb(tables, adsl, cfg["lab_windows"], False)
    data = marker_cox.variable_data(adlb, adsl, adtte, "OS", BASELINE, LANDMARK)
    floors = marker_cox.zero_floors(adlb)
    nlr, _ = marker_cox.model_data(data, "nlr", "value", floors["nlr"])
    crp, _ = marker_cox.model_data(data, "crp", "value", floors["crp"])
    frame = nlr.join(crp["x"].rename("crp"), how="inner")
    covariates = adsl.set_index("USUBJID").loc[frame.index]
    frame["ecog"] = covariates["ECOG"].astype(float)
    frame["age"] = covariates["AGE"].astype(float)
    for column in ("x", "crp"):
        frame[column] = (frame[column] - frame[column].mean()) / frame[column].std()
    row = CoxPHFitter().fit(frame, "time", "event").summary.loc["x"]
    assert frame["event"].sum() > 500
    assert row["coef lower 95%"] < truth < row["coef upper 95%"]
    # The pipeline's univariable (marginal) model points the same way.
    assert marker_cox.fit_cox(nlr)["lower"] > 1
