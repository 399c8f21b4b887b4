"""De-identification by rule (docs/sharing.md), applied to the ADaM datasets before they
are shared; each rule either recodes and counts, or refuses with a message that names the
dataset, variable, row and value.

- No calendar dates: a date column, or a text value that reads as a date, is refused (the
  datasets carry study days only; `adam/days.py` is the only place dates become days).
- Ages above 89 are shown as 90 (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C)).
- Site codes (SITEID and the site prefix of USUBJID) are replaced by random codes drawn once
  from a seed, the same in every dataset, when `recode_sites` is on.
- No free text: every text value is a code of its variable's code list, a text the program
  wrote (PARAM, EVNTDESC, ...), or an identifier of letters, digits, '-' and '_'.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .metadata import DatasetSpec, ShareError

AGE_CAP = 90
DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{8}T|\d{1,2}[A-Za-z]{3}\d{4}")
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Deidentified:
    """The datasets after the rules, and what the rules changed."""

    frames: dict[str, pd.DataFrame]
    ages_capped: int
    sites: dict[str, str]  # original -> shared code; empty when sites are not recoded


def _where(name: str, variable: str, rows) -> str:
    row = int(np.flatnonzero(np.asarray(rows, dtype=bool))[0])
    return f"{name.upper()}, variable {variable}, row {row + 1}"


def check_no_dates(name: str, frame: pd.DataFrame) -> None:
    """Refuse a calendar date anywhere: a date or time column, or a text that reads as one."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values) or isinstance(values.dtype, pd.PeriodDtype):
            raise ShareError(f"{name.upper()}, variable {column}: a calendar date column")
        if values.dtype == object:
            text = values.dropna().astype(str)
            dated = text.str.contains(DATE)
            if dated.any():
                value = text[dated].iloc[0]
                where = _where(name, column, values.index.isin(text[dated].index[:1]))
                raise ShareError(f"{where}: {value!r} reads as a calendar date; share study days")


def check_no_free_text(name: str, frame: pd.DataFrame, spec: DatasetSpec) -> None:
    """Refuse a text value outside its code list, or an identifier that is not a code."""
    for var in spec.variables:
        if var.kind != "text" or var.name not in frame or var.flag:
            continue
        values = frame[var.name].dropna().astype(str)
        if var.codes is not None:
            bad = ~values.isin([str(c) for c in var.codes])
            rule = "is not a code of its code list"
        elif var.identifier:
            bad = ~values.str.fullmatch(IDENTIFIER)
            rule = "is not an identifier (letters, digits, '-', '_'): free text is not shared"
        else:
            continue  # a text the program writes (adam/endpoints.py, schemas/vocabulary.py)
        if bad.any():
            where = _where(name, var.name, frame.index.isin(values[bad].index[:1]))
            raise ShareError(f"{where}: {values[bad].iloc[0]!r} {rule}")


def cap_ages(adsl: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """AGE above 89 becomes 90: Safe Harbor aggregates such ages into '90 or older'."""
    above = (adsl["AGE"] > AGE_CAP - 1).fillna(False).to_numpy(dtype=bool)
    out = adsl.copy()
    out.loc[above, "AGE"] = AGE_CAP
    return out, int(above.sum())


def site_codes(sites: list[str], seed: int) -> dict[str, str]:
    """A random code per site, 'X' and three digits, drawn once from `seed` for the sorted
    site list: the same codes in every dataset and every build with the same sites."""
    ordered = sorted(set(sites))
    drawn = np.random.default_rng(seed).choice(np.arange(100, 1000), len(ordered), replace=False)
    return {site: f"X{code}" for site, code in zip(ordered, drawn, strict=True)}


def recode_sites(
    frames: dict[str, pd.DataFrame], seed: int
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """SITEID and the site prefix of USUBJID replaced by `site_codes`, in every dataset."""
    adsl = frames["adsl"]
    prefix = adsl["USUBJID"].str.partition("-")[0]
    mismatch = prefix != adsl["SITEID"]
    if mismatch.any():
        where = _where("adsl", "USUBJID", mismatch)
        raise ShareError(f"{where}: USUBJID does not start with its SITEID and a '-'")
    codes = site_codes(adsl["SITEID"].tolist(), seed)
    new_id = dict(zip(adsl["USUBJID"], adsl["SITEID"].map(codes) + "-", strict=True))
    new_id = {old: code + old.partition("-")[2] for old, code in new_id.items()}
    out = {}
    for name, frame in frames.items():
        unknown = ~frame["USUBJID"].isin(new_id.keys())
        if unknown.any():
            raise ShareError(f"{_where(name, 'USUBJID', unknown)}: a patient not in ADSL")
        frame = frame.copy()
        frame["USUBJID"] = frame["USUBJID"].map(new_id)
        if "SITEID" in frame:
            frame["SITEID"] = frame["SITEID"].map(codes)
        out[name] = frame
    return out, codes


def deidentify(
    frames: dict[str, pd.DataFrame],
    specs: dict[str, DatasetSpec],
    recode: bool,
    seed: int,
) -> Deidentified:
    """Every rule on every dataset (keyed `adsl`, ...): refuse dates and free text, cap
    ages, recode sites if asked."""
    for name, frame in frames.items():
        check_no_dates(name, frame)
        check_no_free_text(name, frame, specs[name])
    frames = dict(frames)
    frames["adsl"], capped = cap_ages(frames["adsl"])
    sites: dict[str, str] = {}
    if recode:
        frames, sites = recode_sites(frames, seed)
    return Deidentified(frames, capped, sites)
