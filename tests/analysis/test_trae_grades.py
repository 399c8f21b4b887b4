"""SAP 1.2b: TRAE by worst grade against scipy's exact binomial intervals."""

import pandas as pd
import pytest
from scipy.stats import binomtest

from sbrtlung.analysis.trae_grades import grade3plus_upper, one_sided_upper, trae_by_grade


def test_worst_grade_counts_and_clopper_pearson_limits():
    adsl = pd.DataFrame({"USUBJID": list("ABCDEFGHIJ"), "SAFFL": [True] * 9 + [False]})
    adae = pd.DataFrame(
        {
            "USUBJID": ["A", "A", "B", "C", "C", "D", "E", "J"],
            "AETOXGR": [1, 3, 2, 2, 1, 5, 4, 3],
            "TRAEFL": [True, True, True, True, True, True, False, True],
        }
    )
    table = trae_by_grade(adae, adsl).set_index("grade")
    # worst related grade: A 3, B 2, C 2, D 5; E unrelated; J not in the safety set
    expected = {"1": 0, "2": 2, "3": 1, "4": 0, "5": 1, "any": 4, ">=3": 2}
    assert table["patients"].to_dict() == expected
    for grade, k in expected.items():
        ci = binomtest(k, 9).proportion_ci(0.95, method="exact")
        assert table.loc[grade, "ci95_low"] == pytest.approx(ci.low, abs=1e-12)
        assert table.loc[grade, "ci95_high"] == pytest.approx(ci.high, abs=1e-12)
        assert table.loc[grade, "percent"] == pytest.approx(100 * k / 9)
    one_sided = binomtest(2, 9, alternative="less").proportion_ci(0.95, method="exact").high
    assert grade3plus_upper(table.reset_index(), 9) == pytest.approx(one_sided, abs=1e-12)
    assert one_sided_upper(0, 30) == pytest.approx(1 - 0.05 ** (1 / 30))
    assert one_sided_upper(5, 5) == 1.0
