"""SAP amendment 1.2b: the primary safety endpoint, TRAE incidence by worst grade.

Each safety-set patient counts once, at the worst grade of their treatment-related adverse
events; the rows are each grade 1 to 5, any grade and grade >= 3, each with its Clopper-Pearson
95% CI on the safety set. Grade >= 3 is set beside the historical reference (under 10%) with
its exact one-sided 95% upper limit; descriptive, no test.
"""

import pandas as pd
from scipy import stats

from sbrtlung.analysis.estimators import check_level, clopper_pearson

ROWS = ("1", "2", "3", "4", "5", "any", ">=3")
COLUMNS = ("grade", "patients", "percent", "ci95_low", "ci95_high")


def one_sided_upper(k: int, n: int, level: float = 0.95) -> float:
    """The exact (Clopper-Pearson) one-sided upper limit of a proportion k / n at `level`."""
    if n < 1 or not 0 <= k <= n:
        raise ValueError("need n >= 1 and 0 <= k <= n")
    return 1.0 if k == n else float(stats.beta.ppf(check_level(level), k + 1, n - k))


def trae_by_grade(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Patients of the safety set by worst TRAE grade, with Clopper-Pearson 95% limits (0-1)
    and the percentage of the safety set."""
    n = int(adsl["SAFFL"].sum())
    if n < 1:
        raise ValueError("the safety set is empty: no incidence can be estimated")
    saf = set(adsl.loc[adsl["SAFFL"], "USUBJID"])
    related = adae[adae["TRAEFL"] & adae["USUBJID"].isin(saf)]
    worst = related.groupby("USUBJID")["AETOXGR"].max().astype(int)
    counts = {str(g): int((worst == g).sum()) for g in range(1, 6)}
    counts |= {"any": len(worst), ">=3": int((worst >= 3).sum())}
    records = []
    for row in ROWS:
        ci = clopper_pearson(counts[row], n, 0.95)
        records.append((row, counts[row], 100 * ci.estimate, ci.lower, ci.upper))
    return pd.DataFrame(records, columns=list(COLUMNS))


def grade3plus_upper(table: pd.DataFrame, n_safety: int, level: float = 0.95) -> float:
    """The exact one-sided upper limit of the grade >= 3 row of `trae_by_grade`."""
    k = int(table.loc[table["grade"].astype(str) == ">=3", "patients"].iloc[0])
    return one_sided_upper(k, n_safety, level)
