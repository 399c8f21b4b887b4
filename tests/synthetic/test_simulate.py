"""The synthetic trial: reproducible files, the data contract, calibrated and recoverable truths."""

import math
import time

import numpy as np
import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.synthetic import truth
from sbrtlung.synthetic.simulate import FLOAT_DECIMALS, simulate_trial, write_exports
from sbrtlung.validation.exports import read_exports

H = truth.TARGET_DAYS
Z99 = 2.5758


def simulation(**overrides) -> dict:
    return config.load(simulation=overrides)["simulation"]


@pytest.fixture(scope="module")
def default_trial() -> dict[str, pd.DataFrame]:
    """The default trial at 100 patients rather than the planned 66, so that every rare data-
    quality problem (an out-of-window sample in 3%) shows up in it."""
    return simulate_trial(simulation(n_patients=100), 11)


# --- files ----------------------------------------------------------------------------------


def test_same_seed_gives_identical_files_and_another_seed_different_ones(tmp_path):
    sim = simulation(n_patients=40)
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_exports(simulate_trial(sim, seed), tmp_path / name)
    for stem in EXPORTS:
        assert (tmp_path / "a" / f"{stem}.csv").read_bytes() == (
            tmp_path / "b" / f"{stem}.csv"
        ).read_bytes()
    differ = [
        (tmp_path / "a" / f"{s}.csv").read_bytes() != (tmp_path / "c" / f"{s}.csv").read_bytes()
        for s in EXPORTS
    ]
    assert all(differ)


def test_files_follow_the_csv_contract_and_read_back_unchanged(tmp_path, default_trial):
    paths = write_exports(default_trial, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s}.csv" for s in EXPORTS)
    text = paths[list(EXPORTS).index("follow_up")].read_bytes().decode("utf-8")
    assert "\r" not in text and text.endswith("\n") and ",," in text  # empty = missing
    labs = (tmp_path / "labs.csv").read_text().splitlines()
    assert all(len(line.split(",")[4].split(".")[1]) == 3 for line in labs[1:])
    tables, findings = read_exports(tmp_path)
    assert findings == []
    for stem, frame in default_trial.items():
        pd.testing.assert_frame_equal(tables[stem].reset_index(drop=True), frame)


def test_every_float_column_has_its_decimals():
    floats = {
        name
        for model in EXPORTS.values()
        for name, spec in model.to_schema().columns.items()
        if str(spec.dtype) == "float64"
    }
    assert floats == set(FLOAT_DECIMALS)


# --- tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "seed"),
    [
        ({"n_patients": 5, "n_sites": 1}, 1),
        ({}, 2),
        (
            {
                "n_patients": 400,
                "n_sites": 3,
                "lesions_per_patient_probs": [0, 0, 0, 0, 0, 0, 0, 0, 1],
            },
            3,
        ),
    ],
)
def test_tables_have_the_model_columns_and_dtypes_and_validate(overrides, seed):
    tables = simulate_trial(simulation(**overrides), seed)
    assert list(tables) == list(EXPORTS)
    for stem, model in EXPORTS.items():
        schema = model.to_schema()
        frame = tables[stem]
        assert list(frame.columns) == list(schema.columns)
        for name, spec in schema.columns.items():
            expected = "object" if str(spec.dtype) == "str" else str(spec.dtype)
            assert str(frame[name].dtype) == expected, (stem, name)
        model.validate(frame, lazy=True)
    assert len(tables["patients"]) == simulation(**overrides)["n_patients"]


def test_sites_never_exceed_999_patients_and_too_many_patients_are_refused():
    sim = simulation(n_patients=2100, n_sites=3)
    sizes = simulate_trial(sim, 4)["patients"]["site_id"].value_counts()
    assert sizes.max() <= 999 and sizes.sum() == 2100
    with pytest.raises(ValueError, match="sites"):
        simulate_trial(simulation(n_patients=2000, n_sites=2), 4)


def _by_patient(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby("patient_id")[column].max()


def fatal_breaches(t: dict[str, pd.DataFrame]) -> list[str]:
    """Names of the FATAL cross-file rules of SAP 2.1 that the tables break."""
    patients, lesions, sbrt = t["patients"], t["lesions"], t["sbrt"]
    screening, follow, labs, ae = t["screening"], t["follow_up"], t["labs"], t["adverse_events"]
    imaging, progression = t["imaging"], t["progression"]
    ids = set(patients["patient_id"])
    lesion_keys = set(zip(lesions["patient_id"], lesions["lesion_id"], strict=True))
    broken = []

    def rule(name: str, ok: bool) -> None:
        if not ok:
            broken.append(name)

    for stem, frame in t.items():
        if stem != "screening":
            rule(f"unknown patient in {stem}", set(frame["patient_id"]) <= ids)
    for stem in ("sbrt", "imaging"):
        keys = set(zip(t[stem]["patient_id"], t[stem]["lesion_id"], strict=True))
        rule(f"unknown lesion in {stem}", keys <= lesion_keys)
    enrolled = screening.dropna(subset=["patient_id"]).set_index("patient_id")
    rule("screening patient_id unique", enrolled.index.is_unique)
    rule("enrolled patient screened", ids <= set(enrolled.index))
    site = patients.set_index("patient_id")["site_id"]
    rule("enrolled patient eligible", (enrolled["eligible"] == "yes").all())
    rule("same site as screening", (enrolled["site_id"] == site.reindex(enrolled.index)).all())
    rule(
        "exclusion_reason iff not eligible",
        (screening["exclusion_reason"].notna() == (screening["eligible"] == "no")).all(),
    )
    rule("patient with a lesion", ids == set(lesions["patient_id"]))
    rule("prefix is site", (patients["patient_id"].str[:3] == patients["site_id"]).all())
    rule(
        "pack_years 0 iff never",
        ((patients["pack_years"] == 0) == (patients["smoking"] == "never")).all(),
    )
    rule(
        "enrollment after surgery", (patients["enrollment_date"] >= patients["surgery_date"]).all()
    )
    enrollment = patients.set_index("patient_id")["enrollment_date"]
    rule("SBRT after enrollment", (sbrt["start_date"] >= sbrt["patient_id"].map(enrollment)).all())
    rule("SBRT end after start", (sbrt["end_date"] >= sbrt["start_date"]).all())

    treated = sbrt[sbrt["fractions_delivered"] > 0]
    start = treated.set_index(["patient_id", "lesion_id"])["start_date"]
    scan_start = pd.MultiIndex.from_frame(imaging[["patient_id", "lesion_id"]]).map(start.get)
    rule("imaging only of treated lesions", pd.Series(scan_start).notna().all())
    rule(
        "imaging after lesion start",
        (imaging["assessment_date"].to_numpy() > pd.to_datetime(scan_start).to_numpy()).all(),
    )
    rule(
        "confirmation iff failure",
        (imaging["confirmation"].notna() == (imaging["local_status"] == "failure")).all(),
    )
    first_start = treated.groupby("patient_id")["start_date"].min()
    rule(
        "progression after first SBRT start",
        (progression["event_date"] > progression["patient_id"].map(first_start)).all(),
    )
    rule(
        "AE on/after first SBRT start",
        (ae["onset_date"] >= ae["patient_id"].map(first_start)).all(),
    )
    rule("AE end after onset", ~(ae["end_date"] < ae["onset_date"]).any())

    follow = follow.set_index("patient_id")
    rule("one follow-up row per patient", follow.index.is_unique and set(follow.index) == ids)
    dead = follow["vital_status"] == "dead"
    rule("death_date iff dead", (follow["death_date"].notna() == dead).all())
    rule("cause iff dead", (follow["cause_of_death"].notna() == dead).all())
    rule("grade 5 only if dead", ae.loc[ae["grade"] == 5, "patient_id"].map(dead).all())
    dated = [
        (screening.dropna(subset=["patient_id"]), "screening_date"),
        (patients, "enrollment_date"),
        (patients, "surgery_date"),
        (sbrt, "start_date"),
        (sbrt, "end_date"),
        (imaging, "assessment_date"),
        (progression, "event_date"),
        (ae, "onset_date"),
        (ae, "end_date"),
        (labs, "sample_date"),
    ]
    latest = pd.concat([_by_patient(frame, column) for frame, column in dated], axis=1).max(1)
    latest = latest.reindex(follow.index)
    rule("nothing after death", ~(latest[dead] > follow.loc[dead, "death_date"]).any())
    rule(
        "last contact of the dead is death",
        (follow.loc[dead, "last_contact_date"] == follow.loc[dead, "death_date"]).all(),
    )
    rule(
        "nothing after last contact",
        ~(latest[~dead] > follow.loc[~dead, "last_contact_date"]).any(),
    )
    allowed = {(a, u) for a, units in v.LAB_UNITS.items() for u in units}
    rule(
        "unit allowed for analyte", set(zip(labs["analyte"], labs["unit"], strict=True)) <= allowed
    )
    rule("one lab row per key", not labs.duplicated(["patient_id", "timepoint", "analyte"]).any())
    return broken


@pytest.mark.parametrize(
    ("overrides", "seed"),
    [
        ({}, 21),
        ({"n_patients": 600, "n_sites": 12}, 22),
        (
            {
                "n_patients": 300,
                "untreated_lesion_rate": 0.4,
                "incomplete_course_rate": 0.5,
                "dropout_per_year": 1.0,
                "min_follow_up_months": 0.5,
                "accrual_months": 3,
                "lesions_per_patient_probs": [0.2, 0.2, 0.2, 0.2, 0.1, 0.1],
                "true_os_2y": 0.3,
                "true_lcr_2y": 0.4,
                "true_regional_2y": 0.5,
                "true_distant_2y": 0.6,
            },
            23,
        ),
    ],
)
def test_no_fatal_cross_file_rule_is_broken(overrides, seed):
    assert fatal_breaches(simulate_trial(simulation(**overrides), seed)) == []


def test_the_fatal_rule_check_catches_breaches(default_trial):
    t = {stem: frame.copy() for stem, frame in default_trial.items()}
    follow = t["follow_up"]
    alive = follow.index[follow["vital_status"] == "alive"][0]
    follow.loc[alive, "last_contact_date"] -= pd.Timedelta(days=400)
    t["patients"].loc[0, "pack_years"] = 0.0 if t["patients"].loc[0, "smoking"] != "never" else 1.0
    assert {"nothing after last contact", "pack_years 0 iff never"} <= set(fatal_breaches(t))


def test_default_cohort_has_the_usual_data_quality_warnings(default_trial):
    t = default_trial
    sbrt = t["sbrt"]
    assert (sbrt["fractions_delivered"] < sbrt["fractions_planned"]).any()
    labs = t["labs"]
    per_sample = labs.groupby(["patient_id", "timepoint"]).size()
    assert (per_sample < len(v.ANALYTES)).any()  # missing analytes
    assert (labs["unit"] != labs["analyte"].map(v.CANONICAL_UNITS)).any()  # site units
    first = sbrt[sbrt["fractions_delivered"] > 0].groupby("patient_id")["start_date"].min()
    baseline = labs[labs["timepoint"] == "baseline"]
    days = (baseline["sample_date"] - baseline["patient_id"].map(first)).dt.days
    assert (days < -28).any()  # a baseline sample out of its window
    severe = t["adverse_events"].loc[t["adverse_events"]["grade"] >= 3, "patient_id"]
    assert 0 < severe.nunique() < 0.1 * len(first)  # grade >= 3 in well under 10%


# --- truth ----------------------------------------------------------------------------------


def test_true_values_reproduce_the_config_targets():
    sim = simulation(true_lcr_2y=0.85, true_os_2y=0.7, true_regional_2y=0.12, true_distant_2y=0.2)
    values = truth.true_values(sim)
    assert values["lcr_2y"] == pytest.approx(0.85, abs=1e-3)
    assert values["os_2y"] == pytest.approx(0.7, abs=1e-3)
    assert values["regional_2y"] == pytest.approx(0.12, abs=1e-3)
    assert values["distant_2y"] == pytest.approx(0.2, abs=1e-3)
    assert values["log_hr_nlr_death"] == sim["marker_log_hr"]["nlr_death"]
    assert values["pfs_2y"] < values["os_2y"]
    assert values["local_recurrence_2y"] > 1 - values["lcr_2y"]


def test_truths_match_a_direct_simulation_of_the_latent_times():
    """The closed forms of `truth` against counting the latent events of 500,000 patients."""
    sim = simulation()
    hz, values = truth.hazards(sim), truth.true_values(sim)
    rng = np.random.default_rng(99)
    n = 500_000
    counts = truth.draw_lesion_counts(rng, n, sim["lesions_per_patient_probs"])
    prognosis = truth.draw_prognosis(rng, n, sim["marker_log_hr"])
    courses = truth.draw_courses(
        rng, counts, sim["untreated_lesion_rate"], sim["incomplete_course_rate"]
    )
    horizon = math.floor(H)

    def days(rate):
        return np.maximum(np.ceil(rng.standard_exponential(np.shape(rate)) / rate), 1)

    # Days from TRTSDT (patient) or from the lesion's start (`local`).
    death = courses.anchor - courses.first_start + days(hz.death * prognosis.death_risk)
    regional = days(hz.regional * prognosis.progression_risk)
    distant = days(hz.distant * prognosis.progression_risk)
    local = days(np.full(len(courses.patient), hz.local))
    failure = courses.start - courses.first_start[courses.patient] + local
    treated = courses.fractions_delivered > 0
    local_any = np.full(n, np.inf)
    np.minimum.at(local_any, courses.patient[treated], failure[treated])
    lesion_failed = (local <= horizon) & (failure <= death[courses.patient])
    patients, lesions = courses.treated_patient, treated
    empirical = {
        "os_2y": (death > horizon)[patients].mean(),
        "regional_2y": ((regional <= horizon) & (regional <= death))[patients].mean(),
        "distant_2y": ((distant <= horizon) & (distant <= death))[patients].mean(),
        "local_recurrence_2y": ((local_any <= horizon) & (local_any <= death))[patients].mean(),
        "pfs_2y": (np.minimum.reduce([death, regional, distant, local_any]) > horizon)[
            patients
        ].mean(),
        "lcr_2y": 1 - lesion_failed[lesions].mean(),
        "lcr_km_2y": (local > horizon)[lesions].mean(),
    }
    for name, rate in empirical.items():
        size = (lesions if name.startswith("lcr") else patients).sum()
        se = math.sqrt(values[name] * (1 - values[name]) / size)
        assert abs(rate - values[name]) < 4 * se + 3e-4, name


def test_true_values_are_cached_and_fast():
    sim = simulation(true_os_2y=0.77)
    began = time.perf_counter()
    truth.true_values(sim)
    assert time.perf_counter() - began < 3  # < 1 s on an idle core; slack for shared CI
    began = time.perf_counter()
    truth.true_values(sim)
    assert time.perf_counter() - began < 0.01


# --- recovery -------------------------------------------------------------------------------


def _weighted_cif(time, event, weights, horizon):
    """Aalen-Johansen CIF of cause 1 at `horizon` (cause 2 competing; no cause 2 = KM
    failure), ties handled exactly; `weights` is (replicate, subject)."""
    order = np.argsort(time, kind="stable")
    time, event, weights = time[order], event[order], weights[:, order]
    unique, index = np.unique(time, return_inverse=True)
    at_risk = np.cumsum(weights[:, ::-1], axis=1)[:, ::-1]
    first = np.searchsorted(time, unique)
    n = at_risk[:, first]
    d1 = np.stack([np.bincount(index, w * (event == 1), len(unique)) for w in weights])
    d2 = np.stack([np.bincount(index, w * (event == 2), len(unique)) for w in weights])
    keep = unique <= horizon
    n, d1, d2 = n[:, keep], d1[:, keep], d2[:, keep]
    hazard = np.divide(d1 + d2, n, out=np.zeros_like(n), where=n > 0)
    surviving = np.cumprod(1 - hazard, axis=1)
    before = np.column_stack((np.ones(len(n)), surviving[:, :-1]))
    return (before * np.divide(d1, n, out=np.zeros_like(n), where=n > 0)).sum(axis=1)


def _check(name, time, event, cluster, truth_value, rng, complement=False):
    """Point estimate and 99% patient-bootstrap interval around it contain the truth."""
    n_clusters = cluster.max() + 1
    draws = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=200)
    weights = np.vstack((np.ones(n_clusters), draws))[:, cluster].astype(float)
    cif = _weighted_cif(time, event, weights, H)
    estimate = 1 - cif if complement else cif
    se = estimate[1:].std()
    assert abs(estimate[0] - truth_value) < Z99 * se, (name, estimate[0], truth_value, se)


@pytest.mark.slow
def test_large_trial_recovers_the_true_values():
    """20,000 patients: KM and Aalen-Johansen estimates from the records versus the truth."""
    sim = simulation(n_patients=20_000, n_sites=40)
    t = simulate_trial(sim, 2024)
    values = truth.true_values(sim)
    rng = np.random.default_rng(7)

    sbrt = t["sbrt"][t["sbrt"]["fractions_delivered"] > 0]
    trtsdt = sbrt.groupby("patient_id")["start_date"].min()
    follow = t["follow_up"].set_index("patient_id").loc[trtsdt.index]
    code = pd.Series(np.arange(len(trtsdt)), index=trtsdt.index)
    dead = (follow["vital_status"] == "dead").to_numpy()
    death_day = (follow["death_date"] - trtsdt).dt.days.to_numpy()
    contact = (follow["last_contact_date"] - trtsdt).dt.days.to_numpy()
    _check(
        "OS",
        np.where(dead, death_day, contact),
        dead.astype(int),
        code.to_numpy(),
        values["os_2y"],
        rng,
        complement=True,
    )

    imaging = t["imaging"]
    last_scan = imaging.groupby("patient_id")["assessment_date"].max()
    censor = (last_scan.reindex(trtsdt.index) - trtsdt).dt.days.fillna(0).to_numpy()

    def first_event(dates):
        first = dates.groupby(level=0).min().reindex(trtsdt.index)
        return (first - trtsdt).dt.days.to_numpy()

    failures = imaging[imaging["local_status"] == "failure"]
    progression = t["progression"]
    events = {
        "regional_2y": first_event(
            progression[progression["site"] == "regional"].set_index("patient_id")["event_date"]
        ),
        "distant_2y": first_event(
            progression[progression["site"] == "distant"].set_index("patient_id")["event_date"]
        ),
        "local_recurrence_2y": first_event(failures.set_index("patient_id")["assessment_date"]),
    }
    for name, day in events.items():
        has = ~np.isnan(day)
        event = np.where(has, 1, np.where(dead, 2, 0))
        time = np.where(has, day, np.where(dead, death_day, censor))
        _check(name, time, event, code.to_numpy(), values[name], rng)
    pfs_day = np.fmin.reduce([*events.values(), np.where(dead, death_day, np.nan)])
    pfs_has = ~np.isnan(pfs_day)
    _check(
        "PFS",
        np.where(pfs_has, pfs_day, censor),
        pfs_has.astype(int),
        code.to_numpy(),
        values["pfs_2y"],
        rng,
        complement=True,
    )

    lesion = sbrt.set_index(["patient_id", "lesion_id"])["start_date"]
    keys = lesion.index
    first_fail = (
        failures.groupby(["patient_id", "lesion_id"])["assessment_date"].min().reindex(keys)
    )
    last = imaging.groupby(["patient_id", "lesion_id"])["assessment_date"].max().reindex(keys)
    patient = keys.get_level_values(0)
    own_death = follow["death_date"].reindex(patient).to_numpy()
    fail_day = (first_fail - lesion).dt.days.to_numpy()
    death_lf = (pd.Series(own_death, index=keys) - lesion).dt.days.to_numpy()
    last_day = (last - lesion).dt.days.fillna(0).to_numpy()
    has = ~np.isnan(fail_day)
    died = ~np.isnan(death_lf)
    event = np.where(has, 1, np.where(died, 2, 0))
    time = np.where(has, fail_day, np.where(died, death_lf, last_day))
    cluster = code.reindex(patient).to_numpy()
    _check("LF", time, event, cluster, values["lcr_2y"], rng, complement=True)
    _check(
        "LF KM", time, (event == 1).astype(int), cluster, values["lcr_km_2y"], rng, complement=True
    )


@pytest.mark.parametrize("wanted", [("sbrt", "imaging", "progression", "follow_up"), ("labs",)])
def test_a_subset_of_the_exports_is_the_same_as_in_the_whole_trial(default_trial, wanted):
    """Tables drawn after the last wanted one are skipped without changing the others."""
    subset = simulate_trial(simulation(n_patients=100), 11, wanted)
    assert list(subset) == [stem for stem in EXPORTS if stem in wanted]
    for stem, table in subset.items():
        pd.testing.assert_frame_equal(table, default_trial[stem])
    with pytest.raises(ValueError, match="unknown exports"):
        simulate_trial(simulation(), 11, ("patient",))


def test_a_set_toxicity_rate_changes_only_the_adverse_events():
    """simulation.grade3_trae_rate draws from its own stream: every other export is the
    default trial's, and null is the default trial itself."""
    sim = config.load(simulation={"n_patients": 200})["simulation"]
    default = simulate_trial(sim, seed=5)
    toxic = simulate_trial({**sim, "grade3_trae_rate": 0.5}, seed=5)
    for name, frame in default.items():
        if name != "adverse_events":
            pd.testing.assert_frame_equal(frame, toxic[name])
    ae = toxic["adverse_events"]
    related = ae["attribution"].isin(["possible", "probable", "definite"])
    severe = ae[related & (ae["grade"] >= 3)]["patient_id"].nunique()
    treated = default["sbrt"].loc[default["sbrt"]["fractions_delivered"] > 0, "patient_id"]
    assert 0.4 < severe / treated.nunique() < 0.6
    assert not ae.duplicated(["patient_id", "ae_id"]).any()
