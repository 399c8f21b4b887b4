"""The efficacy and safety tables of the paper (sbrtlung.reporting.results_tables), from hand-made
analysis outputs: every cell as printed, no code in a cell, captions and labels."""

import pandas as pd

from sbrtlung.analysis import efficacy
from sbrtlung.analysis.safety import worst_grade_table
from sbrtlung.reporting import results_tables
from sbrtlung.study import Horizon

DASH = "\u2013"


def rates() -> pd.DataFrame:
    rows = []
    for key, population, ci in (
        ("lcr", "SAF", "cluster_ij"),
        ("lcr_pp", "PP", "cluster_ij"),
        ("pfs", "SAF", "greenwood"),
    ):
        label = next(r.label for r in efficacy.RATES if r.key == key)
        for time, estimate in (("1y", 0.95), ("2y", 0.9)):
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "population": population,
                    "time": time,
                    "n_units": 60,
                    "n_events": 6,
                    "estimate": estimate,
                    "lower95": estimate - 0.05,
                    "upper95": min(estimate + 0.03, 1.0),
                    "ci_method": efficacy.CI_METHODS[ci],
                }
            )
    return pd.DataFrame(rows)


def medians() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["pfs", "follow_up"],
            "months": [28.04, float("nan")],
            "lower95_months": [22.6, 30.2],
            "upper95_months": [34.5, float("nan")],
        }
    )


def test_efficacy_table_prints_sets_and_methods_in_words():
    table = results_tables.efficacy_table(rates(), medians(), Horizon(730.5, 365.25, 30.4375))
    frame = table.frame.set_index("Endpoint")
    lcr = frame.loc[next(r.label for r in efficacy.RATES if r.key == "lcr")]
    assert lcr["Set"] == "Safety" and lcr["Units (events)"] == "60 (6)"
    assert lcr["2 years, % (95% CI)"] == f"90.0% (85.0{DASH}93.0)"
    assert lcr["CI method"] == "IJ"
    assert frame.loc["Progression-free survival (Kaplan-Meier)", "Median, months (95% CI)"] == (
        f"28.0 (22.6{DASH}34.5)"
    )
    assert frame.loc["Follow-up (reverse Kaplan-Meier)", "Median, months (95% CI)"] == (
        f"not reached (30.2{DASH}NE)"
    )
    per_protocol = frame.loc[next(r.label for r in efficacy.RATES if r.key == "lcr_pp")]
    assert per_protocol["Set"] == "Per protocol"
    for code in ("SAF", "PP", "cluster_ij", "greenwood", "lesion"):
        assert code not in table.markdown


def adae() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2", "P3"],
            "AETERM": ["pneumonitis", "chest_wall_pain", "pneumonitis", "cough"],
            "AETOXGR": [2, 3, 1, 1],
            "TRAEFL": [True, True, True, False],
            "PHASE": ["acute", "late", "acute", "acute"],
        }
    )


def worst_grade() -> pd.DataFrame:
    frames = []
    for subset, rows in (("treatment-related", adae()[adae()["TRAEFL"]]), ("all-cause", adae())):
        for phase in ("all", "acute", "late"):
            chosen = rows if phase == "all" else rows[rows["PHASE"] == phase]
            frames.append(worst_grade_table(chosen, 10).assign(subset=subset, phase=phase))
    return pd.concat(frames, ignore_index=True)


def test_trae_table_counts_patients_by_worst_grade_in_words():
    table = results_tables.trae_table(worst_grade())
    frame = table.frame.set_index("Term")
    assert list(frame.index) == ["Any term", "Pneumonitis", "Chest wall pain"]
    assert frame.loc["Any term", "Grade 3"] == "1 (10.0%)"
    assert frame.loc["Pneumonitis", "Any grade"] == "2 (20.0%)"
    assert "Grade \u22653" in frame.columns and ">=" not in table.markdown


def test_ae_supplement_labels_every_table_and_says_when_a_category_is_empty():
    grade5 = pd.DataFrame(
        {
            "patient": ["P9"],
            "term": ["pneumonitis"],
            "attribution": ["probable"],
            "onset_day_from_sbrt": [40],
            "death_day_from_sbrt": [52],
            "cause_of_death": ["treatment_related"],
        }
    )
    table = results_tables.ae_supplement(worst_grade(), grade5)
    for label in ("tbl-ae-treatment-acute", "tbl-ae-all-all", "tbl-ae-grade5"):
        assert f"{{#{label}}}" in table.markdown
    assert "| P9 | Pneumonitis | Probable | 40 | 52 | Treatment related |" in table.markdown
    assert set(table.frame["table"]) >= {"Grade 5 events"}
    empty = results_tables.ae_supplement(worst_grade().iloc[0:0], grade5.iloc[0:0])
    assert "| No adverse event in this category |" in empty.markdown
    assert "{#tbl-ae-treatment-acute}" in empty.markdown  # still a table, still labelled
    assert "Grade 5 adverse events: none." in empty.markdown


def test_pattern_table_percentages_of_the_safety_set_and_of_failures():
    pattern = pd.DataFrame(
        {
            "first_failure": ["local", "distant", "no failure"],
            "n": [2, 3, 15],
            "N": [20, 20, 20],
            "n_failed": [5, 5, 5],
        }
    )
    frame = results_tables.pattern_table(pattern).frame
    assert frame["Patients, n (% of safety set)"].tolist() == [
        "2 (10.0%)",
        "3 (15.0%)",
        "15 (75.0%)",
    ]
    assert frame["% of patients with a failure"].tolist() == ["40.0%", "60.0%", ""]
