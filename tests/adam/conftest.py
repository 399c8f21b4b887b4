"""The hand-built cohort of the derivation tests, whose every time is worked out by hand."""

import pytest

from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.adam.adtte import derive_adtte

from .cohort import cohort

MONTH = 30.4375


def scan(pid, lid, date, status="controlled", confirmation=None):
    return {
        "patient_id": pid,
        "lesion_id": lid,
        "assessment_date": date,
        "local_status": status,
        "confirmation": confirmation,
    }


def course(pid, lid, start, end, delivered=5):
    return {
        "patient_id": pid,
        "lesion_id": lid,
        "start_date": start,
        "end_date": end,
        "fractions_delivered": delivered,
    }


@pytest.fixture(scope="module")
def datasets():
    pids = [f"S01-00{i}" for i in range(1, 6)]
    tables = cohort(
        patients=[{"patient_id": p} for p in pids],
        lesions=[
            {"patient_id": "S01-001", "lesion_id": "L1"},
            {"patient_id": "S01-001", "lesion_id": "L2"},
            {"patient_id": "S01-002", "lesion_id": "L1"},
            {"patient_id": "S01-003", "lesion_id": "L1"},
            {"patient_id": "S01-003", "lesion_id": "L2"},
            {"patient_id": "S01-004", "lesion_id": "L1"},
            {"patient_id": "S01-005", "lesion_id": "L1"},
        ],
        sbrt=[
            course("S01-001", "L1", "2022-01-10", "2022-01-20"),
            course("S01-001", "L2", "2022-01-15", "2022-01-25"),
            course("S01-002", "L1", "2022-02-01", "2022-02-05"),
            course("S01-003", "L1", "2022-03-01", "2022-03-09"),
            course("S01-003", "L2", "2022-03-02", "2022-03-02", delivered=0),
            course("S01-004", "L1", "2022-01-20", "2022-01-20", delivered=0),
            course("S01-005", "L1", "2022-01-05", "2022-01-12"),
        ],
        imaging=[
            scan("S01-001", "L1", "2022-04-10"),
            scan("S01-001", "L2", "2022-04-10"),
            scan("S01-001", "L1", "2022-07-10", "failure", "pet"),  # row 3
            scan("S01-001", "L2", "2022-07-10"),
            scan("S01-001", "L1", "2022-10-10"),  # controlled after the failure
            scan("S01-001", "L2", "2022-10-10"),  # row 6
            scan("S01-002", "L1", "2022-05-01"),
            scan("S01-005", "L1", "2022-04-05"),
            scan("S01-005", "L1", "2022-07-05"),
        ],
        progression=[
            {"patient_id": "S01-005", "event_date": "2022-06-01", "site": "distant"},
            {"patient_id": "S01-005", "event_date": "2022-06-01", "site": "regional"},
        ],
        follow_up=[
            {"patient_id": "S01-001", "last_contact_date": "2022-12-01"},
            {
                "patient_id": "S01-002",
                "last_contact_date": "2022-05-01",
                "vital_status": "dead",
                "death_date": "2022-05-01",  # the day of the last scan
                "cause_of_death": "other",
            },
            {"patient_id": "S01-003", "last_contact_date": "2022-04-01"},
            {"patient_id": "S01-004", "last_contact_date": "2022-03-01"},
            {"patient_id": "S01-005", "last_contact_date": "2022-08-01"},
        ],
    )
    adles = derive_adles(tables)
    adsl = derive_adsl(tables, adles)
    return adsl, adles, derive_adtte(tables, adsl, adles, MONTH), tables
