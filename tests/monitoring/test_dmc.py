"""The DMC report: the open part holds aggregates only, none of the closed part's tables, and
no patient; scans due follow the schedule."""

import re

import numpy as np
import pytest

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.analysis import efficacy, safety
from sbrtlung.monitoring.dmc import GRACE_DAYS, dmc_report, document, scans_due
from sbrtlung.monitoring.toxicity import monitor
from sbrtlung.synthetic.simulate import simulate_trial, write_exports
from sbrtlung.validation.gate import validate_exports
from sbrtlung.validation.period import study_period


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    c = config.load(simulation={"n_patients": 40, "grade3_trae_rate": 0.2})
    write_exports(simulate_trial(c["simulation"], seed=3), folder)
    tables, findings = validate_exports(folder, c)
    adam = derive_all(tables, c, study_period(c).cut)  # the synthetic trial's cut
    adsl, adae = adam["adsl"], adam["adae"]
    rates = efficacy.rates(adam["adtte"], adsl, {"1y": 365.25, "2y": 730.5}, 20, 1, 0.05)
    status = monitor(adsl, adae, c["monitoring"], 66).status
    figure = tmp_path_factory.mktemp("fig") / "toxicity.png"
    figure.write_bytes(b"")
    return dmc_report(
        screening=tables["screening"],
        adsl=adsl,
        adae=adae,
        findings=findings,
        worst_grade=safety.analyse(adae, adsl).worst_grade,
        rates=rates,
        status=status,
        figure=str(figure),
        planned=66,
        max_gap_days=182.625,
    ), adsl


def tables_of(text: str) -> list[str]:
    """Every pipe table of a Markdown text with its caption."""
    return re.findall(r"(?:^\|.*\n)+\nTable: .*", text, re.M)


def test_the_open_part_holds_none_of_the_closed_tables_and_no_patient(report):
    parts, adsl = report
    open_text = document("open", parts.open)
    closed_text = document("closed", parts.closed)
    closed_tables = tables_of(closed_text)
    assert len(closed_tables) >= 5  # AE by grade (2), SAE, deaths, toxicity, efficacy
    for table in closed_tables:
        assert table not in open_text
        assert table.splitlines()[-1] not in open_text  # nor its caption
    for word in ("grade", "death", "toxicity", "TRAE", "serious", "survival", "control"):
        assert word.lower() not in open_text.lower(), word
    assert not any(patient in open_text for patient in adsl["USUBJID"])
    assert any(patient in closed_text for patient in adsl["USUBJID"])  # the listings
    titles = [section.title for section in parts.open]
    assert titles == [
        "Accrual",
        "Screening failures",
        "Disposition",
        "Data completeness and timeliness",
        "Protocol deviations",
        "Validation gate",
    ]


def test_scans_due_follow_the_schedule():
    days = np.array([0, GRACE_DAYS + 91, GRACE_DAYS + 92, GRACE_DAYS + 730.5, GRACE_DAYS + 913.125])
    assert list(scans_due(days)) == [0, 0, 1, 8, 9]
