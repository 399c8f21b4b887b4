"""The last lines of a run: the paper's files after a success, the failed job's log after a
failure (the workflow tests check both on real runs)."""

import os

from sbrtlung.console import failed_jobs, failure, finished

# Lines of a real Snakemake 9 run log after the gate refused an export, and a shell job failing.
RUN_LOG = """\
[Tue Dec  1 09:09:27 2026]
Error in rule validated_tables:
    message: None
    jobid: 4
    input: /data/imaging.csv, results/validation/report.csv
    output: results/validated/screening.parquet, results/validated/patients.parquet
    log: logs/validated_tables.log (check log file(s) for error details)
Logfile logs/validated_tables.log:
================================================================================
INFO rule validated_tables
ERROR validation FAILED: 1 FATAL, 101 WARN findings
================================================================================
Error in rule manuscript_result:
    jobid: 7
    output: manuscript/_results/figures/a.png
    log: logs/a.log, logs/b.log (check log file(s) for error details)
    shell:
        cp results/figures/a.png manuscript/_results/figures/a.png 2> logs/a.log
        (command exited with non-zero exit code)
Error in rule all:
    jobid: 0
Shutting down, this might take some time.
"""


def test_failed_jobs_are_read_from_the_run_log():
    assert failed_jobs(RUN_LOG) == [
        ("validated_tables", ["logs/validated_tables.log"]),
        ("manuscript_result", ["logs/a.log", "logs/b.log"]),
        ("all", []),
    ]


def test_failure_names_each_failed_rule_and_its_log(tmp_path):
    run_log = tmp_path / "run.log"
    run_log.write_text(RUN_LOG)
    assert failure([str(run_log)]).splitlines() == [
        "The workflow failed.",
        "  rule validated_tables: see logs/validated_tables.log",
        "  rule manuscript_result: see logs/a.log, logs/b.log",
        f"  rule all: see {run_log}",
    ]


def test_failure_without_a_failed_job_points_at_the_run_log(tmp_path):
    run_log = tmp_path / "run.log"
    run_log.write_text("MissingInputException: no rule makes results/x.csv\n")
    assert failure(run_log) == f"The workflow failed; see {run_log}."
    assert failure(None) == "The workflow failed; see the output above."


def test_finished_lists_the_paper(tmp_path):
    results = tmp_path / "key_results.json"
    results.write_text("{}")
    paper = [tmp_path / "index.html", tmp_path / "index.pdf"]
    assert finished(paper, results) == ""  # this run did not make the paper
    for path in paper:
        path.write_text("paper")
    assert finished(paper, results).splitlines() == ["The paper:", *(f"  {p}" for p in paper)]
    os.utime(paper[0], (0, 0))  # a paper from an earlier run than the results
    assert finished(paper, results).startswith(f"The paper is older than {results};")
