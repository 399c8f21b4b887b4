"""Who is evaluable for toxicity monitoring, in what order, and whether synthetic trials with
a known true rate cross the boundary (SAP 1.2g)."""

import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis.design import planned_sample_size
from sbrtlung.monitoring.boundary import pocock_boundary
from sbrtlung.monitoring.toxicity import evaluable_patients, monitor, sequence
from sbrtlung.synthetic.simulate import simulate_trial, write_exports
from sbrtlung.validation.gate import validate_exports
from sbrtlung.validation.period import study_period

SETTINGS = {"toxicity_p0": 0.10, "toxicity_p1": 0.25, "alpha": 0.10, "window_days": 182}


def adsl(*rows):
    """USUBJID, SAFFL, TRTEDY, LSTALVDY, DCUTDY per patient."""
    return pd.DataFrame(rows, columns=["USUBJID", "SAFFL", "TRTEDY", "LSTALVDY", "DCUTDY"])


def adae(*rows):
    """USUBJID, TRAEFL, AETOXGR, ASTDY, ONSETEND per AE."""
    return pd.DataFrame(rows, columns=["USUBJID", "TRAEFL", "AETOXGR", "ASTDY", "ONSETEND"])


def test_evaluable_patients_and_events_follow_the_plan():
    subjects = adsl(
        ("A", True, 10, 192, 400),  # exactly 182 days after TRTEDT: evaluable, no event
        ("B", True, 10, 191, 400),  # one day short and no event: not evaluable yet
        ("C", True, 10, 50, 400),  # event 100 days after TRTEDT, follow-up short: evaluable
        ("D", True, 10, 400, 400),  # grade 3 TRAE after the window: evaluable, no event
        ("E", True, 10, 400, 400),  # grade 3 unrelated and grade 2 related: no event
        ("F", False, None, 400, 400),  # not in the safety set
        ("G", True, 10, 30, 400),  # grade 4 TRAE during the course (before TRTEDT): event
    )
    events = adae(
        ("C", True, 3, 110, 100),
        ("D", True, 3, 250, 240),
        ("E", False, 4, 20, 10),
        ("E", True, 2, 20, 10),
        ("G", True, 4, 8, -2),
    )
    found = evaluable_patients(subjects, events, 182)
    assert list(found["USUBJID"]) == ["G", "C", "A", "D", "E"]  # in the order they became so
    assert list(found["EVENT"]) == [True, True, False, False, False]
    assert list(found["DAYS_BEFORE_CUT"]) == [392, 290, 208, 208, 208]


def test_crossing_anywhere_in_the_sequence_counts():
    """Two events in the first two patients cross b_2 = 2 even if later patients dilute it."""
    boundary = pocock_boundary(10, 0.10, 0.10)
    assert boundary.at(2) == 2 and boundary.at(10) > 2
    order = pd.DataFrame({"USUBJID": list("ABCDEFGHIJ"), "EVENT": [True, True] + [False] * 8})
    path = sequence(order, boundary)
    assert path.crossed and path.patients["EVENTS"].iloc[-1] < boundary.at(10)
    assert not sequence(order.iloc[::-1].reset_index(drop=True), boundary).crossed


def synthetic(rate, tmp_path, seed=20240601):
    """A synthetic trial with a true grade >= 3 TRAE rate, through the gate and ADaM."""
    c = config.load(simulation={"grade3_trae_rate": rate}, seed=seed)
    folder = tmp_path / f"raw_{rate}"
    folder.mkdir()
    write_exports(simulate_trial(c["simulation"], seed=seed), folder)
    tables, findings = validate_exports(folder, c)
    assert not (findings["severity"] == "FATAL").any(), findings.head()
    adam = derive_all(tables, c, study_period(c).cut)  # the synthetic trial's cut
    planned = planned_sample_size(c["hypothesis"], c["sample_size"])["patients"]
    return monitor(adam["adsl"], adam["adae"], c["monitoring"], planned)


@pytest.mark.parametrize("seed", [20240601, 11])
def test_a_toxic_trial_crosses_and_a_safe_one_does_not(tmp_path, seed):
    toxic, safe = synthetic(0.30, tmp_path, seed), synthetic(0.05, tmp_path, seed)
    assert toxic.status["crossed"] and not safe.status["crossed"]
    assert toxic.status["events"] >= toxic.status["boundary"]
    assert safe.status["evaluable"] >= 50  # enough patients for the answer to mean something


def test_status_keys_and_design_numbers(tmp_path):
    result = synthetic(0.05, tmp_path)
    assert list(result.status) == [
        "evaluable",
        "events",
        "boundary",
        "crossed",
        "nominal_level",
        "p_cross_p0",
        "p_cross_p1",
        "expected_n_p0",
        "expected_n_p1",
    ]
    assert list(result.table.columns) == ["n", "boundary"] and len(result.table) == 66
    assert round(result.status["p_cross_p0"], 3) == 0.097
    assert result.status["boundary"] == result.boundary.at(result.status["evaluable"])
