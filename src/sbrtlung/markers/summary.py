"""Blood markers by timepoint and their change under SBRT (SAP 4, exploratory objective).

Every marker of ADLB (the 14 analytes and the 5 indices) is summarised per timepoint by n and
median (Q1-Q3), and its change is tested without a distributional assumption: a Friedman test
across the three timepoints and a Wilcoxon signed-rank test of each post-treatment timepoint
against baseline. All these tests form one multiple-testing family: Benjamini-Hochberg
q-values over every test of every marker together.

Choices where the plan is silent:

- Quartiles are pandas' linear interpolation, as everywhere in the project
  (`formatter.median_iqr`).
- Friedman: patients with a value at all three timepoints; Wilcoxon: patients with both the
  post-treatment and the baseline value (paired). Both tests compare the values in canonical
  units (a rank test of the levels, not of log ratios).
- Wilcoxon is scipy's default: two-sided, zero differences dropped (Wilcoxon's convention),
  exact null distribution up to 50 pairs without ties or zeros; with ties or zeros, exact
  permutations up to 13 pairs and the normal approximation beyond.
- A test that cannot be computed (fewer than two patients, or no difference at all) has no
  p-value and stays outside the q-value family rather than counting as p = 1.
- Tables print a marker's medians with 0, 1 or 2 decimals when its largest median is at
  least 100, at least 10, or smaller; p- and q-values with 3 decimals, below 0.001 as "<0.001".
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from sbrtlung.formatter import in_sentence, median_quartiles, p_value
from sbrtlung.schemas import vocabulary as v
from sbrtlung.tables import Table, markdown_table

# Marker -> (short label for figures, plain-words label for tables).
LABELS: Mapping[str, tuple[str, str]] = {
    "wbc": ("WBC", "White blood cell count (WBC)"),
    "neutrophils": ("Neutrophils", "Neutrophil count"),
    "lymphocytes": ("Lymphocytes", "Lymphocyte count"),
    "monocytes": ("Monocytes", "Monocyte count"),
    "platelets": ("Platelets", "Platelet count"),
    "hemoglobin": ("Hemoglobin", "Hemoglobin"),
    "albumin": ("Albumin", "Albumin"),
    "crp": ("CRP", "C-reactive protein (CRP)"),
    "ldh": ("LDH", "Lactate dehydrogenase (LDH)"),
    "cea": ("CEA", "Carcinoembryonic antigen (CEA)"),
    "cyfra21_1": ("CYFRA 21-1", "Cytokeratin 19 fragment (CYFRA 21-1)"),
    "nse": ("NSE", "Neuron-specific enolase (NSE)"),
    "scc": ("SCC", "Squamous cell carcinoma antigen (SCC)"),
    "progrp": ("ProGRP", "Pro-gastrin-releasing peptide (ProGRP)"),
    "nlr": ("NLR", "Neutrophil-to-lymphocyte ratio (NLR)"),
    "plr": ("PLR", "Platelet-to-lymphocyte ratio (PLR)"),
    "lmr": ("LMR", "Lymphocyte-to-monocyte ratio (LMR)"),
    "sii": ("SII", "Systemic immune-inflammation index (SII)"),
    "pni": ("PNI", "Prognostic nutritional index (PNI)"),
}
TIMEPOINT_LABELS = {
    "baseline": "Baseline",
    "end_of_treatment": "End of treatment",
    "one_month": "One month",
}
POST = ("end_of_treatment", "one_month")
UNITS = {**v.CANONICAL_UNITS, **v.INDICES}
UNIT_LABELS = {"10^9/L": "\u00d710\u2079/L"}  # times ten to the ninth, per litre


def unit_label(marker: str) -> str:
    """The marker's canonical unit as printed (cell counts with a real superscript)."""
    unit = UNITS[marker]
    return UNIT_LABELS.get(unit, unit)


def marker_label(marker: str) -> str:
    """Plain words, with the abbreviation when there is one: 'C-reactive protein (CRP)'."""
    return LABELS[marker][1]


def bh_q(p: pd.Series) -> pd.Series:
    """Benjamini-Hochberg q-values of the non-missing p-values (missing stay missing)."""
    q = pd.Series(np.nan, index=p.index)
    tested = p.notna()
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested].to_numpy(float), method="bh")
    return q


def _wide(adlb: pd.DataFrame, marker: str) -> pd.DataFrame:
    """One row per patient, one column per timepoint (values in canonical units)."""
    rows = adlb[adlb["PARAMCD"] == marker]
    wide = rows.pivot(index="USUBJID", columns="TIMEPOINT", values="AVAL")
    return wide.reindex(columns=list(v.TIMEPOINTS)).astype(float).dropna(how="all")


def descriptives(adlb: pd.DataFrame) -> pd.DataFrame:
    """n, median, Q1 and Q3 per marker and timepoint, in ADLB's marker and timepoint order."""
    rows = []
    for marker in v.MARKERS:
        wide = _wide(adlb, marker)
        for timepoint in v.TIMEPOINTS:
            values = wide[timepoint].dropna()
            q1, median, q3 = values.quantile([0.25, 0.5, 0.75]) if len(values) else [np.nan] * 3
            rows.append(
                {
                    "marker": marker,
                    "unit": UNITS[marker],
                    "timepoint": timepoint,
                    "n": len(values),
                    "median": median,
                    "q1": q1,
                    "q3": q3,
                }
            )
    return pd.DataFrame(rows)


def friedman(wide: pd.DataFrame) -> tuple[int, float, float]:
    """(n, statistic, p) of the Friedman test on the patients complete at every timepoint."""
    complete = wide[list(v.TIMEPOINTS)].dropna()
    values = complete.to_numpy(dtype=float)
    varies = values.max(axis=1) > values.min(axis=1)  # row-wise, not one Python call per row
    if len(complete) < 2 or not varies.any():
        return len(complete), np.nan, np.nan
    result = stats.friedmanchisquare(*(complete[t].to_numpy() for t in v.TIMEPOINTS))
    return len(complete), float(result.statistic), float(result.pvalue)


def wilcoxon(wide: pd.DataFrame, timepoint: str) -> tuple[int, float, float]:
    """(n pairs, statistic, p) of the signed-rank test of `timepoint` against baseline."""
    pairs = wide[["baseline", timepoint]].dropna()
    difference = pairs[timepoint] - pairs["baseline"]
    if len(pairs) < 2 or not (difference != 0).any():
        return len(pairs), np.nan, np.nan
    result = stats.wilcoxon(pairs[timepoint].to_numpy(), pairs["baseline"].to_numpy())
    return len(pairs), float(result.statistic), float(result.pvalue)


def change_tests(adlb: pd.DataFrame) -> pd.DataFrame:
    """Friedman and Wilcoxon tests of every marker, with BH q-values over all of them."""
    rows = []
    for marker in v.MARKERS:
        wide = _wide(adlb, marker)
        rows.append(dict(zip(("n", "statistic", "p"), friedman(wide), strict=True)))
        rows[-1] |= {"marker": marker, "test": "friedman", "timepoint": "all"}
        for timepoint in POST:
            rows.append(dict(zip(("n", "statistic", "p"), wilcoxon(wide, timepoint), strict=True)))
            rows[-1] |= {"marker": marker, "test": "wilcoxon", "timepoint": timepoint}
    tests = pd.DataFrame(rows)[["marker", "test", "timepoint", "n", "statistic", "p"]]
    return tests.assign(q=bh_q(tests["p"]))


def summary(adlb: pd.DataFrame) -> pd.DataFrame:
    """One row per marker and timepoint: the descriptives, the Wilcoxon test of that timepoint
    against baseline (`wilcoxon_*`, missing at baseline) and the marker's Friedman test
    (`friedman_*`, repeated on its three rows)."""
    tests = change_tests(adlb)
    columns = ["n", "statistic", "p", "q"]

    def prefixed(test: str) -> pd.DataFrame:
        chosen = tests[tests["test"] == test].drop(columns="test")
        return chosen.rename(columns={c: f"{test}_{c}" for c in columns})

    out = descriptives(adlb).merge(
        prefixed("wilcoxon"), on=["marker", "timepoint"], how="left", validate="1:1"
    )
    friedman_rows = prefixed("friedman").drop(columns="timepoint")
    out = out.merge(friedman_rows, on="marker", how="left", validate="m:1")
    out["wilcoxon_n"] = out["wilcoxon_n"].astype("Int64")
    return out


def _decimals(medians: pd.Series) -> int:
    top = medians.abs().max()
    return 0 if top >= 100 else 1 if top >= 10 else 2


PRINTED_Q = {
    "Friedman q": "q: Friedman",
    "End of treatment vs baseline q": "q: EoT vs BL",
    "One month vs baseline q": "q: 1 mo vs BL",
}


def summary_table(summary: pd.DataFrame) -> Table:
    """The supplement's table: median (Q1–Q3) per timepoint, patients per timepoint, q-values.

    The frame (CSV) names each marker in full with its unit; the printed table by its short
    name and unit, with short q-value headers, and its caption spells out both."""
    rows, printed = [], []
    for marker, group in summary.groupby("marker", sort=False):
        by_time = group.set_index("timepoint")
        d = _decimals(by_time["median"])
        row = {"Marker": marker_label(marker), "Unit": unit_label(marker)}
        for timepoint, label in TIMEPOINT_LABELS.items():
            m, q1, q3 = by_time.loc[timepoint, ["median", "q1", "q3"]]
            row[label] = median_quartiles(m, q1, q3, d)
        row["Patients, n"] = " / ".join(str(int(n)) for n in by_time.loc[list(v.TIMEPOINTS), "n"])
        row["Friedman q"] = p_value(by_time["friedman_q"].iloc[0])
        for timepoint in POST:
            label = TIMEPOINT_LABELS[timepoint]
            row[f"{label} vs baseline q"] = p_value(by_time.loc[timepoint, "wilcoxon_q"])
        rows.append(row)
        short = {"Marker": f"{LABELS[marker][0]}, {unit_label(marker)}"}
        printed.append(short | {PRINTED_Q.get(k, k): v for k, v in row.items() if k != "Marker"})
    abbreviated = [m for m in summary["marker"].unique() if LABELS[m][1].endswith(")")]
    names = "; ".join(f"{LABELS[m][0]}, {_name(m)}" for m in abbreviated)
    caption = (
        "Blood markers by timepoint: median (Q1\u2013Q3) at baseline (BL), at the end of "
        "treatment (EoT) and one month later (1 mo); the patients with a value at each of the "
        "three timepoints; the Benjamini-Hochberg q-values of the Friedman test across "
        "timepoints and of the Wilcoxon signed-rank tests of each later timepoint against "
        f"baseline. {names}."
    )
    shown = pd.DataFrame(printed).drop(columns="Unit")
    text = markdown_table(shown, "l" + "r" * (shown.shape[1] - 1), caption, "tbl-markers")
    return Table(pd.DataFrame(rows), text)


def _name(marker: str) -> str:
    """The marker's name in words, without its abbreviation: 'C-reactive protein'."""
    full, short = LABELS[marker][1], LABELS[marker][0]
    name = full.removesuffix(f" ({short})")
    return in_sentence(name)
