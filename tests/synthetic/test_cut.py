"""Deliveries of the synthetic trial before its end: each passes the gate, and a later one
holds every row of an earlier one, changed only where it corrects a record."""

import pandas as pd
import pytest

from sbrtlung import config
from sbrtlung.monitoring.delta import changes
from sbrtlung.synthetic.cut import delivery
from sbrtlung.synthetic.simulate import simulate_trial, write_exports
from sbrtlung.validation.gate import validate_exports

EARLY, LATE = "2022-01-04", "2022-07-04"


def gated(cut, corrected_before, tmp_path):
    c = config.load(data_cut=cut)
    folder = tmp_path / cut
    write_exports(delivery(c["simulation"], c["seed"], cut, corrected_before), folder)
    tables, findings = validate_exports(folder, c)
    assert not (findings["severity"] == "FATAL").any(), findings.head().to_string()
    return tables


@pytest.fixture(scope="module")
def two_deliveries(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cuts")
    return gated(EARLY, None, folder), gated(LATE, EARLY, folder)


def test_each_delivery_passes_the_gate_and_grows(two_deliveries):
    early, late = two_deliveries
    assert 0 < len(early["patients"]) < len(late["patients"]) < 66
    for table in early.values():  # nothing is dated after the cut (the gate checks it too)
        for column in table.select_dtypes("datetime"):
            assert (table[column].dropna() <= pd.Timestamp(EARLY)).all()


def test_the_later_delivery_removes_nothing_and_corrects_three_early_records(two_deliveries):
    early, late = two_deliveries
    found = changes(early, late, pd.Timestamp(EARLY), pd.Timestamp(LATE))
    assert not (found["change"] == "removed").any()
    corrected = found[
        (found["change"] == "changed") & found["column"].isin(["grade", "attribution", "value"])
    ]
    assert len(corrected) == config.load()["simulation"]["corrections"] == 3
    # every other change of an existing row is follow-up that came in after the early cut,
    # or a screening row that now names the patient whose enrolment was entered since
    others = found[(found["change"] == "changed") & ~found.index.isin(corrected.index)]
    assert set(others["column"]) <= {
        "last_contact_date",
        "vital_status",
        "death_date",
        "cause_of_death",
        "end_date",
        "patient_id",
    }
    moved = others[others["column"].isin(["last_contact_date", "death_date", "end_date"])]
    assert ((moved["current"] > EARLY) | (moved["previous"] == "")).all()  # or entered late


def test_no_cut_is_the_whole_trial():
    c = config.load()
    whole = delivery(c["simulation"], c["seed"], None, None)
    for stem, table in simulate_trial(c["simulation"], c["seed"]).items():
        pd.testing.assert_frame_equal(table, whole[stem])
