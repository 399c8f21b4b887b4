"""SAP 1.2c: each LF derivation on hand-built nodules whose answer can be written down."""

import numpy as np
import pandas as pd

from sbrtlung.adam.lf_sensitivity import DERIVATIONS, derive

BY_NAME = {d.analysis: d for d in DERIVATIONS}


def facts() -> pd.DataFrame:
    """Five nodules (study days): P1-L1 fails at 300 (CT only) after a controlled scan at 200;
    P1-L2 is controlled, last scan 250, the patient dies at 500 (249 days later); P2-L1 fails
    at 401 (PET) after controlled scans at 100 and 300; P3-L1 last scan 600, death at 700;
    P4-L1 was never treated."""
    return pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2", "P3", "P4"],
            "LESID": ["L1", "L2", "L1", "L1", "L1"],
            "TRTFL": [True, True, True, True, False],
            "STARTDY": pd.array([10, 10, 20, 5, pd.NA], "Int64"),
            "DTHDY": [500.0, 500.0, np.nan, 700.0, np.nan],
            "FAILDY": pd.array([300, pd.NA, 401, pd.NA, pd.NA], "Int64"),
            "FAILCONF": ["ct", None, "pet", None, None],
            "LASTSCDY": pd.array([400, 250, 401, 600, pd.NA], "Int64"),
            "LASTCTDY": pd.array([200, pd.NA, 300, pd.NA, pd.NA], "Int64"),
        }
    )


ADSL = pd.DataFrame(
    {
        "USUBJID": ["P1", "P2", "P3", "P4"],
        "SAFFL": [True, True, True, False],
        "ENRLFL": True,
        "EFFFL": [True, True, False, False],
        "PPFL": [True, False, True, False],
    }
)


def outcome(name: str) -> list[tuple]:
    rows = derive(BY_NAME[name], facts(), ADSL)
    return list(zip(rows["USUBJID"] + rows["LESID"], rows["AVAL"], rows["EVNT"], strict=True))


def test_primary():
    assert outcome("primary") == [
        ("P1L1", 290, 1),
        ("P1L2", 490, 2),
        ("P2L1", 381, 1),
        ("P3L1", 695, 2),
    ]


def test_populations_and_kaplan_meier():
    assert [r[0] for r in outcome("efficacy_set")] == ["P1L1", "P1L2", "P2L1"]
    assert [r[0] for r in outcome("per_protocol")] == ["P1L1", "P1L2", "P3L1"]
    assert outcome("kaplan_meier")[1] == ("P1L2", 490, 0)  # death censored at its day


def test_all_enrolled_counts_an_untreated_nodule_as_failing_at_day_0():
    assert outcome("all_enrolled") == [
        ("P1L1", 300, 1),
        ("P1L2", 500, 2),
        ("P2L1", 401, 1),
        ("P3L1", 700, 2),
        ("P4L1", 0, 1),
    ]


def test_a_death_long_after_the_last_scan_is_censored():
    # P1-L2: death 250 days after its last scan (> 182.625): censored at the scan, day 250;
    # P3-L1: death 100 days after it: still competing.
    assert outcome("ascertainment")[1] == ("P1L2", 240, 0)
    assert outcome("ascertainment")[3] == ("P3L1", 695, 2)


def test_a_ct_only_failure_is_censored_at_its_scan():
    out = outcome("confirmed_only")
    assert out[0] == ("P1L1", 290, 0)  # censored at the failure scan, no competing death
    assert out[2] == ("P2L1", 381, 1)  # PET-confirmed: still an event


def test_midpoint_dating_rounds_down():
    out = outcome("interval_midpoint")
    assert out[0] == ("P1L1", (200 + 300) // 2 - 10, 1)  # 250 - 10
    assert out[2] == ("P2L1", (300 + 401) // 2 - 20, 1)  # 350.5 -> 350, - 20


def test_the_primary_derivation_is_adtte_lf_on_a_synthetic_trial():
    from sbrtlung import config
    from sbrtlung.adam import derive_all
    from sbrtlung.adam.lf_sensitivity import derive_all as derive_sensitivity
    from sbrtlung.synthetic.simulate import simulate_trial
    from sbrtlung.validation.period import latest_date

    c = config.load(simulation={"n_patients": 120})
    tables = simulate_trial(c["simulation"], seed=7)
    adam = derive_all(tables, c, latest_date(tables))
    out = derive_sensitivity(tables, adam["adsl"], adam["adles"])
    lf = adam["adtte"][adam["adtte"]["PARAMCD"] == "LF"].sort_values(["USUBJID", "LESID"])
    primary = out[out["ANALYSIS"] == "primary"]
    columns = ["USUBJID", "LESID", "STARTDY", "ADY", "AVAL", "EVNT"]
    assert (lf[columns].to_numpy() == primary[columns].to_numpy()).all()
    km = out[out["ANALYSIS"] == "kaplan_meier"]
    assert (km["EVNT"].to_numpy() == np.where(lf["EVNT"] == 2, 0, lf["EVNT"])).all()
