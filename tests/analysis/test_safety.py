"""Safety incidences and worst-grade tables against hand counts and scipy's exact CI."""

import pandas as pd
import pytest
from scipy import stats
from scipy.stats import binomtest

from sbrtlung.analysis import safety

ADAE = pd.DataFrame(
    [
        # patient, term, grade, related, phase
        ("A", "pneumonitis", 1, True, "acute"),
        ("A", "pneumonitis", 2, True, "late"),  # A's worst pneumonitis: grade 2
        ("A", "fatigue", 1, True, "acute"),
        ("B", "pneumonitis", 3, True, "late"),
        ("B", "cough", 1, False, "acute"),
        ("C", "rib_fracture", 2, False, "late"),
        ("D", "pneumonitis", 5, True, "late"),
    ],
    columns=["USUBJID", "AETERM", "AETOXGR", "TRAEFL", "PHASE"],
)
N = 10  # safety set: six patients without any AE


def test_incidence_with_exact_ci():
    any_trae = safety.incidence(ADAE, N, min_grade=1, related=True)
    assert (any_trae["n"], any_trae["N"]) == (3, N)  # A, B, D
    ci = binomtest(3, N).proportion_ci(confidence_level=0.95, method="exact")
    assert any_trae["ci95"] == pytest.approx([ci.low, ci.high])
    assert safety.incidence(ADAE, N, min_grade=3, related=True)["n"] == 2  # B, D
    assert safety.incidence(ADAE, N, min_grade=1, related=False)["n"] == 4


def test_worst_grade_table_counts_each_patient_once_per_term():
    table = safety.worst_grade_table(ADAE[ADAE["TRAEFL"]], N).set_index("term")
    assert list(table.index) == ["any term", "pneumonitis", "fatigue"]
    pneumonitis = table.loc["pneumonitis"]
    assert [pneumonitis[f"grade{g}"] for g in (1, 2, 3, 4, 5)] == [0, 1, 1, 0, 1]
    assert (pneumonitis["any"], pneumonitis["grade3plus"]) == (3, 2)
    overall = table.loc["any term"]  # A at grade 2, B at 3, D at 5
    assert [overall[f"grade{g}"] for g in (1, 2, 3, 4, 5)] == [0, 1, 1, 0, 1]


def test_tables_by_subset_and_phase():
    tables = safety.worst_grade_tables(ADAE, N)
    late = tables[(tables["subset"] == "treatment-related") & (tables["phase"] == "late")]
    assert late.set_index("term").loc["pneumonitis", "any"] == 3
    acute_all = tables[(tables["subset"] == "all-cause") & (tables["phase"] == "acute")]
    assert set(acute_all["term"]) == {"any term", "pneumonitis", "fatigue", "cough"}
    # sorted by frequency, then grade >= 3, then term
    assert list(acute_all["term"]) == ["any term", "cough", "fatigue", "pneumonitis"]


def test_summary_and_analyse_count_patients_of_the_safety_set():
    """Incidences by hand: 4 safety-set patients, one with a grade 3 TRAE, one with only an
    unrelated grade 1 AE; the denominator is the safety set of ADSL, not the patients with AEs."""
    adae = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2"],
            "AETERM": ["pneumonitis", "cough", "fatigue"],
            "AETOXGR": [3, 1, 1],
            "TRAEFL": [True, True, False],
            "PHASE": ["acute", "acute", "late"],
            "AEREL": ["probable", "possible", "unrelated"],
            "ASTDY": [30, 30, 200],
        }
    )
    adsl = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4", "P5"],
            "SAFFL": [True, True, True, True, False],
            "TRTSDY": [0, 0, 0, 0, None],
            "DTHDY": [None, None, None, None, None],
            "DTHCAUS": [None] * 5,
        }
    )
    result = safety.analyse(adae, adsl)
    summary = result.summary
    assert summary["trae_any"]["n"] == 1 and summary["trae_any"]["N"] == 4
    assert summary["trae_any"]["estimate"] == 0.25
    assert summary["ae_any"]["n"] == 2 and summary["ae_grade3plus"]["n"] == 1
    assert summary["trae_grade3plus"]["ci95"] == pytest.approx(
        [stats.beta.ppf(0.025, 1, 4), stats.beta.ppf(0.975, 2, 3)]
    )
    assert summary["n_grade5"] == 0 and result.grade5.empty
    first = result.worst_grade.iloc[0]
    assert (first["subset"], first["phase"], first["term"], first["N"]) == (
        "treatment-related",
        "all",
        "any term",
        4,
    )
