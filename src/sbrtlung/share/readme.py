"""README.md of the package: what is shared, how it was de-identified, how to read it."""

from typing import Any

import pandas as pd

from .dataset_json import STAMP
from .deidentify import Deidentified
from .metadata import DatasetSpec


def readme(
    frames: dict[str, pd.DataFrame],
    specs: dict[str, DatasetSpec],
    done: Deidentified,
    settings: dict[str, Any],
    age_cap: int,
) -> str:
    """The package's README, from the shared frames and what de-identification changed."""
    studyid = settings["studyid"]
    rows = "\n".join(
        f"| {spec.name} | {spec.label} | {spec.structure} | {len(frames[n]):,} | "
        f"{len(spec.variables)} |"
        for n, spec in specs.items()
    )
    renamed = ", ".join(
        f"{v.short} ({spec.name}, was {v.name})"
        for spec in specs.values()
        for v in spec.variables
        if v.short != v.name
    )
    capped = f"ages recoded: {done.ages_capped}"
    if settings["recode_sites"]:
        sites = (
            f"Site codes are replaced by random codes ({len(done.sites)} sites), drawn once "
            "from a seed and the same in every dataset: SITEID in ADSL and the site part of "
            "USUBJID everywhere. The patient number after the '-' is kept."
        )
    else:
        sites = "Site codes are shared as collected (recode_sites is off)."
    return f"""# Individual patient data of study {studyid}

Analysis datasets of the single-arm trial of stereotactic body radiotherapy (SBRT) for
residual malignant lung nodules after surgery, as the analysis used them, one patient per
USUBJID.

| dataset | label | structure | records | variables |
|---|---|---|--:|--:|
{rows}

Each dataset is here twice, with the same variables and values:

- `xpt/*.xpt`: SAS transport files, version 5 (names of at most 8 characters, labels of at
  most 40, text values of at most 200 ASCII characters);
- `json/*.json`: CDISC Dataset-JSON 1.1.

`define.xml` (Define-XML 2.1) describes every dataset and variable: type, length, label,
code list and origin (collected: the case-report-form export column; derived: how it was
computed; assigned: STUDYID). `define.html` shows it in a browser. `provenance.json` gives
the SHA-256 of the raw exports, of the configuration and of each file of this package, with
the software versions and the code's git commit; `SHA256SUMS` lists every file but itself
(check with `sha256sum -c SHA256SUMS`).

## Conventions

- Days (`...DY`) are study days: day 0 is the patient's enrollment. No calendar date is
  shared.
- Flags (`...FL`, AESER) are `Y` or `N`.
- A missing number is a SAS missing value (`.`) in XPT and `null` in JSON; a missing text is
  blank in XPT and `null` in JSON.
- Integers are stored as SAS numbers in XPT (8 bytes) and as JSON integers; define.xml
  gives their type (integer or float) and, as Length, their number of digits.
- Variables renamed to fit 8 characters: {renamed}.
- The Dataset-JSON creation time, define.xml's CreationDateTime and the zip's file times are
  the fixed {STAMP}, not the time of the build, so that the same data give the same
  bytes.

## De-identification

Applied by rule when the package was built:

- No calendar dates: study days only; a date in any dataset stops the build.
- Ages above {age_cap - 1} are shown as {age_cap} (HIPAA Safe Harbor); {capped}.
- {sites}
- No free text: every text value is a code of its code list in define.xml, a text the
  analysis program writes (endpoint names, event descriptions, units), or an identifier of
  letters, digits, '-' and '_'; anything else stops the build.

## How to read

- Python: `pyreadstat.read_xport("xpt/adsl.xpt")` (pandas' `read_sas` reads a numeric 0 in
  XPT as 5.4e-79; use pyreadstat), or `json.load` on `json/adsl.json`.
- R: `haven::read_xpt("xpt/adsl.xpt")`, or `jsonlite::fromJSON("json/adsl.json")`.
- SAS: `libname x xport "xpt/adsl.xpt"; proc copy in=x out=work; run;`

## What was checked, and what was not

Checked when the package was built: the SAS transport v5 limits, and define.xml against
the Define-XML 2.1 schema. Checked by the tests of the pipeline: every XPT file read back
equals its dataset after the recodes above, define.xml lists exactly the datasets and
variables of the files with their types, lengths and labels, and the Dataset-JSON files
validate against the Dataset-JSON 1.1 schema. The
datasets follow ADaM's naming where they can; they were not checked against the ADaM
Implementation Guide or CDISC conformance rules, and no such conformance is claimed.
"""
