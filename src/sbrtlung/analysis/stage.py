"""Interim or final analysis (SAP 1.2g), decided once for every result that depends on it.

The configuration's `analysis_stage` is auto, interim or final. auto is final when every
treated patient still alive has had the chance of the horizon's follow-up (first SBRT start
+ `horizon_days` on or before the data cut; a patient who died has no follow-up to come),
and interim otherwise. The built-in synthetic trial at its own simulated cut (no `raw_dir`,
no `data_cut`) is the trial's final analysis by construction: the generator cuts it at the
planned minimum follow-up after the last enrolment.
"""

import pandas as pd

STAGES = ("interim", "final")
# The config values the stage is decided from (the params of the rules that decide it).
KEYS = ("analysis_stage", "raw_dir", "data_cut", "horizon_days")


def settings(config: dict) -> dict:
    """The config values `analysis_stage` reads."""
    return {key: config[key] for key in KEYS}


def analysis_stage(config: dict, adsl: pd.DataFrame) -> str:
    """interim or final for this data cut (ADSL in study days, with DCUTDY)."""
    setting = config["analysis_stage"]
    if setting != "auto":
        return setting
    if not config["raw_dir"] and config.get("data_cut") is None:
        return "final"
    alive = adsl[adsl["SAFFL"] & ~adsl["DTHFL"]]
    reached = (alive["TRTSDY"].astype(float) + config["horizon_days"]) <= alive["DCUTDY"]
    return "final" if bool(reached.all()) else "interim"
