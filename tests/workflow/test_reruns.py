"""A changed setting reruns exactly what depends on it: after the complete build of the
session, a dry run with one setting changed plans the jobs of the rules that read it, what
reads their results, and nothing else (each rule's params carry only what it reads)."""

import shutil

import pytest

from tests.workflow.runs import SMALL, snakemake

# The jobs that write the paper from its results, and provenance, which records the whole
# configuration (its table is in the supplement): they rerun on any change of a setting.
PAPER = {"manuscript_variables", "manuscript", "provenance", "manuscript_result", "audit", "all"}
KEY_RESULTS = {"key_results", "checklists"}
MODELS = {"model_summary", "model_tables", "model_figure_performance", "model_figure_calibration"}
MODELS |= {"model_calibration_slope"}
SIMULATION_STUDY = {
    "simulation_study_design",
    "simulation_study_batch",
    "simulation_study_summary",
    "simulation_study_table",
    "simulation_study_figure",
}
EFFICACY_FIGURES = {"figure_local_failure", "figure_pfs_os", "figure_failure_patterns"}
EARLY = {"simulate_trial", "validation_report", "validated_tables", "adles", "adsl", "adtte"}
EARLY |= {"adae", "adlb", "efficacy", "safety", "flow", "marker_summary", "marker_cox"}

CHANGES = {
    "cv_repeats": ("cv_repeats: 2", "cv_repeats: 3", MODELS | {"model_repeat"}),
    "cv_folds": (
        "cv_repeats: 2",
        "cv_repeats: 2\ncv_folds: 4",
        MODELS | {"model_repeat", "model_final"},
    ),
    "bootstrap_reps": (
        "bootstrap_reps: 100",
        "bootstrap_reps: 120",
        {"efficacy", "efficacy_curves", "efficacy_tables", *EFFICACY_FIGURES},
    ),
    "simulation_study": ("replicates: 4", "replicates: 6", SIMULATION_STUDY),
}


@pytest.fixture(scope="module")
def built(default_run, tmp_path_factory):
    """A copy of the session's complete build (times and Snakemake's records kept)."""
    folder = tmp_path_factory.mktemp("reruns") / "wf"
    shutil.copytree(default_run, folder, symlinks=True)
    return folder


def planned(folder, settings: str) -> set[str]:
    """The rules a dry run with `settings` as the config file would run."""
    (folder / "small.yaml").write_text(settings)
    try:
        done = snakemake(folder, "--dry-run", "--quiet", "rules")
    finally:
        (folder / "small.yaml").write_text(SMALL)
    assert done.returncode == 0, done.stderr[-3000:]
    return job_stats(done.stdout)


def job_stats(printed: str) -> set[str]:
    """The rules of Snakemake's job stats table (none when nothing is to be done)."""
    lines = [line.split() for line in printed.splitlines()]
    heads = [i for i, words in enumerate(lines) if words[:2] == ["job", "count"]]
    if not heads:
        return set()
    rules = set()
    for words in lines[heads[0] + 2 :]:
        if not words or words[0] == "total":
            break
        rules.add(words[0])
    return rules


def test_the_job_stats_are_read_as_printed():
    printed = "Building DAG of jobs...\nJob stats:\njob      count\n-----  -----\n"
    printed += "efficacy     1\nall          1\ntotal        2\n\nReasons:\n  ..."
    assert job_stats(printed) == {"efficacy", "all"}
    assert job_stats("Nothing to be done (all requested files are present).") == set()


def test_the_complete_build_plans_nothing(built):
    assert planned(built, SMALL) == set()


@pytest.mark.parametrize("setting", list(CHANGES))
def test_a_changed_setting_reruns_only_what_depends_on_it(built, setting):
    old, new, own = CHANGES[setting]
    assert old in SMALL
    rules = planned(built, SMALL.replace(old, new))
    assert rules == own | KEY_RESULTS | PAPER
    assert not rules & EARLY - own


def test_the_front_matter_reruns_only_the_paper(built):
    authors = "study:\n  authors:\n  - name: A. Author\n    affiliations: [Somewhere]\n"
    assert planned(built, SMALL + authors) == PAPER
