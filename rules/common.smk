# Names shared by every stage: where the raw exports come from and what the gate writes.
import math
import sys
from pathlib import Path

from sbrtlung.config import missing_period
from sbrtlung.validation.period import check as period_problem
from sbrtlung.reporting.provenance import git_state
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.reporting.key_results import settings as key_results_settings
from sbrtlung.study import horizon_params
from sbrtlung.validation.delivery import config_problem as delivery_problem
from sbrtlung.validation.gate import raw_dir_problem, settings as gate_settings

# A folder that cannot be read, or a date of the config that is not one, stops the workflow
# before it plans any job, with one line instead of a traceback inside the first job.
for problem in (
    config["raw_dir"] and raw_dir_problem(config["raw_dir"]),
    missing_period(config),
    period_problem(config),
    delivery_problem(config),
):
    if problem:
        sys.exit(f"config error: {problem}")

ENV = "../envs/analysis.yaml"
SIMULATED_RAW = "results/raw"
# raw_format redcap: REDCap's records export and data dictionary, split into the nine exports
# (rules/redcap.smk) and a row map that locates each of their rows in REDCap.
REDCAP = config["raw_format"] == "redcap"
if REDCAP and not config["raw_dir"]:
    sys.exit("raw_format: redcap needs raw_dir, the folder of records.csv and dictionary.csv")
REDCAP_FILES = {name: f"{config['raw_dir']}/{name}.csv" for name in ("records", "dictionary")}
REDCAP_EXPORTS = "results/redcap/exports"
REDCAP_ROWS = "results/redcap/rows.csv"
REDCAP_NOTES = "results/redcap/dictionary_findings.csv"
RAW_DIR = REDCAP_EXPORTS if REDCAP else config["raw_dir"] or SIMULATED_RAW
VALIDATED = expand("results/validated/{table}.parquet", table=EXPORTS)
# The study period the gate resolved (data cut, study start, their sources): ADSL and every
# later stage read it, none resolves it again.
PERIOD = "results/validation/period.json"
# The config values each job reads, and no others, so that a changed value reruns
# only the jobs that depend on it (docs/architecture.md, "Who reads which setting").
GATE_CONFIG = gate_settings(config)
KEY_RESULTS_CONFIG = key_results_settings(config)
# The horizon of the primary endpoint and the units of reported times (sbrtlung.study.Horizon).
HORIZON = horizon_params(config)


def raw_exports(wildcards):
    """The raw files the gate reads: the nine simulated or split exports, or every file of
    raw_dir.

    Every file of a real folder is an input, so that editing, adding or removing one reruns
    the gate (which reports unknown and missing files itself).
    """
    if REDCAP:
        return expand(f"{REDCAP_EXPORTS}/{{table}}.csv", table=EXPORTS)
    if not config["raw_dir"]:
        return expand(f"{SIMULATED_RAW}/{{table}}.csv", table=EXPORTS)
    folder = Path(config["raw_dir"])
    return sorted(str(p) for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def redcap_rows(wildcards):
    """The row map of the split, so that the gate's findings name REDCap's record and field."""
    return [REDCAP_ROWS] if REDCAP else []


def redcap_notes(wildcards):
    """The split's findings on the data dictionary (choice labels), for the gate's report."""
    return [REDCAP_NOTES] if REDCAP else []


def delivered(wildcards):
    """The files the study delivered, whose hashes provenance records: the REDCap files, or
    the nine exports."""
    return list(REDCAP_FILES.values()) if REDCAP else raw_exports(wildcards)


def validated(*tables):
    """The gate's typed tables of the named exports."""
    return [f"results/validated/{t}.parquet" for t in tables]


# The code's version, read when the workflow starts: a new commit or an edit reruns provenance.
GIT = git_state(workflow.basedir)

# The prognostic models (rules/models.smk): one job per outer cross-validation repeat.
MODEL_REPEATS = range(1, config["cv_repeats"] + 1)
MODEL_ADAM = {name: f"results/adam/{name}.parquet" for name in ("adsl", "adtte", "adlb")}
MODEL_CV = {
    "folds": config["cv_folds"],
    "seed": config["seed"],
    "landmark_days": config["landmark_days"],
}


def model_repeats(name):
    """One file of every repeat, for the gather rule."""
    return expand(f"results/models/repeats/{{repeat}}/{name}.csv", repeat=MODEL_REPEATS)


def memory(mb_per_input_mb):
    """The mem_mb request of a job whose memory grows with its inputs. It is 1000 MB plus
    `mb_per_input_mb` per MB of input (1.5 times the growth bench/scale.py measured, see
    docs/cluster.md), so that a cohort of tens of thousands of patients gets enough on a
    cluster."""
    return lambda wildcards, input: 1000 + math.ceil(mb_per_input_mb * input.size_mb)
