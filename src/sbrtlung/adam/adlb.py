"""ADLB: blood markers of the safety set in canonical units, with windows, indices, dynamics.

SAP 2.2 and 3. Values are converted to the canonical unit of their analyte; each sample is
placed relative to its window (baseline from the first SBRT start, the others from the last
SBRT end) and flagged in or out of it; the indices are computed per timepoint from their
components; dynamics are log2(value / baseline value) of the same marker.

Choices where the plan is silent: an index needs every component at that timepoint, is dated
by its latest component and is in its window only if every component is; an index that would
divide by zero is missing; LOG2CHG is missing unless both values are positive. With
`drop_out_of_window` (the sensitivity analysis) out-of-window samples are removed before the
indices are computed.
"""

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from sbrtlung.schemas import vocabulary as v

from .days import study_day

Formula = Callable[[pd.DataFrame], pd.Series]

# Index -> (components, formula on the wide table of canonical values).
INDEX_FORMULAS: Mapping[str, tuple[tuple[str, ...], Formula]] = {
    "nlr": (("neutrophils", "lymphocytes"), lambda w: w["neutrophils"] / w["lymphocytes"]),
    "plr": (("platelets", "lymphocytes"), lambda w: w["platelets"] / w["lymphocytes"]),
    "lmr": (("lymphocytes", "monocytes"), lambda w: w["lymphocytes"] / w["monocytes"]),
    "sii": (
        ("platelets", "neutrophils", "lymphocytes"),
        lambda w: w["platelets"] * w["neutrophils"] / w["lymphocytes"],
    ),
    "pni": (("albumin", "lymphocytes"), lambda w: w["albumin"] + 5 * w["lymphocytes"]),
}
COLUMNS = [
    "USUBJID", "PARAMCD", "PARAMTYP", "TIMEPOINT", "AVAL", "AVALU", "ADY", "WINDY", "INWINFL",
    "SRCSEQ", "BASE", "LOG2CHG",
]  # fmt: skip


def _measured(tables, adsl, windows: Mapping[str, list[float]]) -> pd.DataFrame:
    labs = tables["labs"].reset_index(drop=True)
    labs = labs.assign(SRCSEQ=labs.index + 1)
    saf = adsl[adsl["SAFFL"]].set_index("USUBJID")
    labs = labs[labs["patient_id"].isin(saf.index)]
    enrollment = tables["patients"].set_index("patient_id")["enrollment_date"]
    day = study_day(labs["sample_date"], labs["patient_id"], enrollment)
    reference = np.where(
        labs["timepoint"] == "baseline",
        labs["patient_id"].map(saf["TRTSDY"]),
        labs["patient_id"].map(saf["TRTEDY"]),
    )
    window_day = day - pd.array(reference, dtype="Int64")
    low = labs["timepoint"].map({t: w[0] for t, w in windows.items()})
    high = labs["timepoint"].map({t: w[1] for t, w in windows.items()})
    return pd.DataFrame(
        {
            "USUBJID": labs["patient_id"],
            "PARAMCD": labs["analyte"],
            "PARAMTYP": "measured",
            "TIMEPOINT": labs["timepoint"],
            "AVAL": v.canonical_values(labs),
            "AVALU": labs["analyte"].map(v.CANONICAL_UNITS),
            "ADY": day,
            "WINDY": window_day,
            "INWINFL": ((window_day >= low) & (window_day <= high)).astype(bool),
            "SRCSEQ": labs["SRCSEQ"].astype("Int64"),
        }
    )


def _indices(measured: pd.DataFrame) -> pd.DataFrame:
    if measured.empty:  # no lab value exported: nothing to derive
        return measured
    keys = ["USUBJID", "TIMEPOINT"]
    wide = measured.pivot_table(
        index=keys, columns="PARAMCD", values=["AVAL", "ADY", "WINDY", "INWINFL"], aggfunc="first"
    )
    frames = []
    for index, (components, formula) in INDEX_FORMULAS.items():
        if not set(components) <= set(wide["AVAL"].columns):
            continue
        values = formula(wide["AVAL"].astype(float)).replace([np.inf, -np.inf], np.nan)
        complete = wide["AVAL"][list(components)].notna().all(axis=1) & values.notna()
        rows = wide[complete]
        days = rows["ADY"][list(components)].to_numpy(dtype=float)
        latest = np.argmax(days, axis=1)  # the index is dated by its latest component
        pick = np.arange(len(rows))
        frames.append(
            pd.DataFrame(
                {
                    "PARAMCD": index,
                    "PARAMTYP": "derived",
                    "AVAL": values[complete],
                    "AVALU": v.INDICES[index],
                    "ADY": days[pick, latest],
                    "WINDY": rows["WINDY"][list(components)].to_numpy(dtype=float)[pick, latest],
                    "INWINFL": rows["INWINFL"][list(components)].astype(bool).all(axis=1),
                    "SRCSEQ": pd.array([pd.NA] * len(rows), dtype="Int64"),
                },
                index=rows.index,
            ).reset_index()
        )
    return pd.concat(frames, ignore_index=True) if frames else measured.iloc[:0]


def derive_adlb(
    tables: dict[str, pd.DataFrame],
    adsl: pd.DataFrame,
    windows: Mapping[str, list[float]],
    drop_out_of_window: bool,
) -> pd.DataFrame:
    """ADLB of the safety set (never-treated patients' samples are not analysed)."""
    measured = _measured(tables, adsl, windows)
    if drop_out_of_window:
        measured = measured[measured["INWINFL"]]
    adlb = pd.concat([measured, _indices(measured)], ignore_index=True)
    base = adlb[adlb["TIMEPOINT"] == "baseline"].set_index(["USUBJID", "PARAMCD"])["AVAL"]
    adlb["BASE"] = pd.MultiIndex.from_frame(adlb[["USUBJID", "PARAMCD"]]).map(base)
    ratio = adlb["AVAL"] / adlb["BASE"]
    positive = (adlb["AVAL"] > 0) & (adlb["BASE"] > 0) & (adlb["TIMEPOINT"] != "baseline")
    adlb["LOG2CHG"] = np.log2(ratio.where(positive))
    rank = {m: i for i, m in enumerate(v.MARKERS)} | {t: i for i, t in enumerate(v.TIMEPOINTS)}
    adlb = adlb.sort_values(
        ["USUBJID", "PARAMCD", "TIMEPOINT"],
        key=lambda column: column if column.name == "USUBJID" else column.map(rank),
        kind="stable",
    )
    types = {"ADY": "Int64", "WINDY": "Int64", "SRCSEQ": "Int64", "INWINFL": bool, "AVAL": float}
    types |= {"BASE": float, "LOG2CHG": float}  # float already, unless there is no row
    return adlb.astype(types)[COLUMNS].reset_index(drop=True)
