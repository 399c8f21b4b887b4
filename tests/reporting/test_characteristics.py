"""Descriptive tables against direct counts on a small hand-built cohort."""

import re

import numpy as np
import pandas as pd
import pytest

from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.adsl import derive_adsl
from sbrtlung.reporting import characteristics as ch
from sbrtlung.schemas import vocabulary as v
from sbrtlung.validation.period import latest_date
from tests.adam.cohort import cohort


def screen(sid, site, eligible, reason=None, pid=None):
    return {
        "screening_id": sid,
        "site_id": site,
        "screening_date": "2021-12-01",
        "eligible": eligible,
        "exclusion_reason": reason,
        "patient_id": pid,
    }


def course(pid, lid, **extra):
    return {
        "patient_id": pid,
        "lesion_id": lid,
        "start_date": "2022-01-03",
        "end_date": "2022-01-10",
        **extra,
    }


@pytest.fixture(scope="module")
def tables():
    return cohort(
        screening=[
            screen("X1", "S01", "yes", pid="S01-001"),
            screen("X2", "S01", "yes", pid="S01-002"),
            screen("X3", "S01", "no", reason="declined_consent"),
            screen("X4", "S02", "yes", pid="S02-001"),
            screen("X5", "S02", "no", reason="other"),
            screen("X6", "S02", "yes"),  # eligible, not enrolled
            screen("X7", "S02", "yes", pid="S02-002"),
        ],
        patients=[
            {"patient_id": "S01-001", "age": 60, "sex": "female", "ecog": 0},
            {
                "patient_id": "S01-002",
                "age": 75,
                "smoking": "never",
                "pack_years": 0.0,
                "fev1_pct": None,
                "surgery_type": "wedge",
            },
            {"patient_id": "S02-001", "site_id": "S02", "age": 81, "pack_years": 50.0},
            # Never treated (0 fractions): outside the safety set.
            {"patient_id": "S02-002", "site_id": "S02", "sex": "female", "age": 90},
        ],
        lesions=[
            {"patient_id": "S01-001", "lesion_id": "L1", "consolidation_ratio": 0.0},
            {"patient_id": "S01-001", "lesion_id": "L2", "consolidation_ratio": 1.0},
            {"patient_id": "S01-001", "lesion_id": "L3", "lobe": "lll"},  # no course
            {"patient_id": "S01-002", "lesion_id": "L1", "diameter_mm": 20.0},
            {"patient_id": "S02-001", "lesion_id": "L1", "lobe": "rml"},
            {"patient_id": "S02-002", "lesion_id": "L1"},
        ],
        sbrt=[
            course("S01-001", "L1", dose_gy=54.0, fractions_planned=3, fractions_delivered=3),
            course("S01-001", "L2", dose_gy=52.5, fractions_planned=5, fractions_delivered=4),
            course("S01-002", "L1", technique="robotic", end_date="2022-01-30"),
            course("S02-001", "L1", dose_gy=54.0, fractions_planned=3, fractions_delivered=3),
            course("S02-002", "L1", fractions_delivered=0),
        ],
        imaging=[
            {
                "patient_id": "S01-001",
                "lesion_id": "L1",
                "assessment_date": "2022-04-01",
                "local_status": "controlled",
            }
        ],
        follow_up=[
            {"patient_id": p, "last_contact_date": "2023-01-01"}
            for p in ("S01-001", "S01-002", "S02-001", "S02-002")
        ],
    )


@pytest.fixture(scope="module")
def adles(tables):
    return derive_adles(tables)


@pytest.fixture(scope="module")
def adsl(tables, adles):
    return derive_adsl(tables, adles, cut=latest_date(tables))


def cells(line: str) -> int:
    """Cells of a pipe-table line (escaped pipes are content)."""
    return len(re.split(r"(?<!\\)\|", line.strip())) - 2


def assert_well_formed(markdown: str) -> None:
    """Every pipe table: a header, an alignment row, rows of as many cells, then a caption."""
    blocks = [b for b in markdown.split("\n\n") if b.startswith("|")]
    assert blocks
    for block in blocks:
        lines = block.strip().splitlines()
        assert len(lines) >= 3 and all(line.startswith("|") for line in lines)
        assert {cells(line) for line in lines} == {cells(lines[0])}
        assert re.fullmatch(r"\| (:-+|-+:|:-+:)( \| (:-+|-+:|:-+:))* \|", lines[1])
    assert markdown.count("\nTable: ") == len(blocks)


def rows(table: ch.Table, variable: str) -> pd.DataFrame:
    return table.frame[table.frame["variable"] == variable]


def test_baseline_counts_match_the_safety_set(adsl):
    table = ch.baseline(adsl)
    saf = adsl[adsl["SAFFL"]]
    assert len(saf) == 3
    for variable, column, codes in [
        ("sex", "SEX", v.SEXES),
        ("smoking", "SMOKING", v.SMOKING),
        ("surgery_type", "SURGTYPE", v.SURGERY_TYPES),
        ("primary_pstage", "PRIMSTG", v.PRIMARY_PSTAGES),
        ("inoperable_reason", "INOPRSN", v.INOPERABLE_REASONS),
    ]:
        counts = rows(table, variable)
        assert counts["level"].tolist() == list(codes)  # vocabulary order, zero rows kept
        expected = [int((saf[column] == code).sum()) for code in codes]
        assert counts["n"].tolist() == expected
        assert (counts["N"] == 3).all()
        assert counts["pct"].sum() == pytest.approx(100)
    ecog = rows(table, "ecog")
    assert ecog["level"].tolist() == ["0", "1", "2"]
    assert ecog["n"].tolist() == [1, 2, 0]
    assert "Patients (N = 3)" in table.markdown


def test_baseline_continuous_summaries(adsl):
    table = ch.baseline(adsl)
    age = rows(table, "age").iloc[0]
    assert age[["median", "q1", "q3", "min", "max"]].tolist() == [75.0, 67.5, 78.0, 60.0, 81.0]
    assert "| Age, years | Median (Q1–Q3) | 75.0 (67.5–78.0) |" in table.markdown
    assert "|  | Range | 60–81 |" in table.markdown  # integer variable: no decimals
    # Pack-years over the two ever smokers only (the never smoker's 0 is left out).
    packs = rows(table, "pack_years").iloc[0]
    assert (packs["n"], packs["N"], packs["median"]) == (2, 2, 40.0)
    # FEV1: one of three missing, and the missing line is there even when none is.
    fev1 = rows(table, "fev1_pct").set_index("statistic")
    assert (fev1.loc["summary", "n"], fev1.loc["missing", "n"]) == (2, 1)
    assert rows(table, "dlco_pct")["statistic"].tolist() == ["summary", "missing"]
    assert rows(table, "dlco_pct").iloc[1]["n"] == 0
    assert "Missing, n (%) | 1 (33.3%)" in table.markdown


def test_baseline_nodules_per_patient(adsl):
    nodules = rows(ch.baseline(adsl), "nodules")
    assert nodules["level"].tolist() == ["1", "2", "3"]
    assert nodules["n"].tolist() == [2, 0, 1]  # the zero row between is shown


def test_lesions_are_the_treated_nodules(adles):
    table = ch.lesions(adles)
    treated = adles[adles["TRTFL"]]
    assert len(treated) == 4  # S01-001 L3 (no course) and S02-002 L1 (0 fractions) left out
    lobe = rows(table, "lobe")
    assert lobe["level"].tolist() == list(v.LOBES)
    assert lobe["n"].tolist() == [int((treated["LOBE"] == c).sum()) for c in v.LOBES]
    assert lobe.set_index("level").loc["lll", "n"] == 0
    appearance = rows(table, "appearance").set_index("level")["n"]
    assert appearance.to_dict() == {"pure_ground_glass": 1, "part_solid": 2, "solid": 1}
    diameter = rows(table, "diameter_mm").iloc[0]
    assert diameter["median"] == pytest.approx(np.median(treated["DIAMMM"]))
    assert "Nodules (N = 4)" in table.markdown
    assert "4 nodules of 3 patients" in table.markdown
    assert "received no fraction, not included: 1" in table.markdown


def test_sbrt_regimens_doses_and_completion(adles):
    table = ch.sbrt(adles)
    regimen = rows(table, "regimen")
    # Most frequent first; ties by fewer fractions.
    assert regimen["level"].tolist() == ["54 Gy / 3 fx", "50 Gy / 5 fx", "52.5 Gy / 5 fx"]
    assert regimen["n"].tolist() == [2, 1, 1]
    assert regimen["pct"].sum() == pytest.approx(100)
    incomplete = rows(table, "incomplete").iloc[0]
    assert (incomplete["n"], incomplete["N"]) == (1, 4)
    treated = adles[adles["TRTFL"]]
    bed = rows(table, "bed10").iloc[0]
    assert bed["median"] == pytest.approx(treated["BED10"].median())
    assert bed["max"] == pytest.approx(54 * (1 + 18 / 10))
    duration = rows(table, "duration_days").iloc[0]
    assert (duration["min"], duration["max"]) == (8, 28)
    technique = rows(table, "technique")
    assert technique["level"].tolist() == list(v.TECHNIQUES)
    assert technique.set_index("level").loc["robotic", "n"] == 1


def test_sites_per_site_and_total(tables, adsl):
    table = ch.sites(tables["screening"], adsl)
    counts = table.frame.set_index(["item", "site"])
    assert counts.loc[("screened", "S01"), "n"] == 3
    assert counts.loc[("screened", "Total"), "n"] == 7
    assert counts.loc[("screen_failure:declined_consent", "S01"), "n"] == 1
    assert counts.loc[("screen_failure:other", "S02"), "n"] == 1
    assert counts.loc[("screen_failure:inclusion_not_met", "Total"), "n"] == 0
    assert counts.loc[("eligible_not_enrolled", "S02"), "n"] == 1
    assert counts.loc[("enrolled", "S02"), ["n", "N"]].tolist() == [2, 4]
    assert counts.loc[("safety", "S02"), ["n", "N"]].tolist() == [1, 2]
    assert counts.loc[("efficacy", "Total"), "n"] == 1
    assert counts.loc[("per_protocol", "Total"), "n"] == 2  # S01-001 has an incomplete course
    # Every screened patient is a failure, eligible-not-enrolled or enrolled.
    for site in ("S01", "S02", "Total"):
        parts = [counts.loc[(i, site), "n"] for i in ("screen_failure", "eligible_not_enrolled")]
        assert (
            sum(parts) + counts.loc[("enrolled", site), "n"] == counts.loc[("screened", site)]["n"]
        )
    assert "| Enrolled | 2 (66.7%) | 2 (50.0%) | 4 (57.1%) |" in table.markdown


def test_markdown_is_well_formed_and_deterministic(tables, adsl, adles):
    built = [
        ch.baseline(adsl),
        ch.lesions(adles),
        ch.sbrt(adles),
        ch.sites(tables["screening"], adsl),
    ]
    for table in built:
        assert_well_formed(table.markdown)
        assert "_" not in table.markdown.split("\nTable: ")[0]  # no raw codes shown
    again = ch.baseline(adsl)
    pd.testing.assert_frame_equal(again.frame, built[0].frame)
    assert again.markdown == built[0].markdown


def test_codes_outside_the_list_are_an_error():
    with pytest.raises(ValueError, match="outside the code list"):
        ch.categorical("sex", "Sex", pd.Series(["female", "unknown"]), v.SEXES)
    with pytest.raises(ValueError, match="outside the code list"):
        ch.categorical("sex", "Sex", pd.Series(["female", None]), v.SEXES)


def test_labels_in_plain_words():
    assert ch.label("pulmonary_function") == "Poor pulmonary function"
    assert ch.label("multiple_nodules") == "Multiple nodules"
    assert ch.label("iiia") == "IIIA"
    assert ch.label(2) == "2"


@pytest.mark.slow
def test_realistic_cohort_tables_agree():
    from sbrtlung import config
    from sbrtlung.synthetic.simulate import simulate_trial

    trial = simulate_trial(config.load()["simulation"], 7)
    adles = derive_adles(trial)
    adsl = derive_adsl(trial, adles, cut=latest_date(trial))
    base, les, sb = ch.baseline(adsl), ch.lesions(adles), ch.sbrt(adles)
    site = ch.sites(trial["screening"], adsl).frame.set_index(["item", "site"])
    n_saf = int(adsl["SAFFL"].sum())
    assert (base.frame.loc[base.frame["statistic"] == "count", "N"] == n_saf).all()
    assert site.loc[("safety", "Total"), "n"] == n_saf
    assert site.loc[("enrolled", "Total"), "n"] == len(adsl)
    assert site.loc[("screened", "Total"), "n"] == len(trial["screening"])
    n_treated = int(adles["TRTFL"].sum())
    for table in (les, sb):
        counted = table.frame[table.frame["statistic"] == "count"]
        for _, group in counted.groupby("variable"):
            if group["variable"].iloc[0] != "incomplete":
                assert group["n"].sum() == n_treated
    for table in (base, les, sb):
        assert_well_formed(table.markdown)
