"""What the workflow prints when it ends (the Snakefile's onsuccess and onerror): where the
paper is, or which log explains the failure; and the one line a command-line tool ends with
when something it did not foresee goes wrong.

Snakemake's own last lines name only its run log, in `.snakemake/log/`; a newcomer wants the
paper's files, and after a failure the log of the job that failed.
"""

import re
from collections.abc import Sequence
from pathlib import Path

# A failed job as Snakemake writes it to its run log: "Error in rule NAME:" and, indented
# under it, "log: a.log, b.log (check log file(s) for error details)".
_ERROR = re.compile(r"^Error in rule (\S+):\n((?:[ \t]+.*\n?)*)", re.M)
_LOG = re.compile(r"^\s+log: (.+?) \(check log file\(s\) for error details\)$", re.M)


def finished(paper: Sequence[str | Path], results: str | Path) -> str:
    """The paper's files, or nothing when this run did not make the paper.

    A file that exists but is older than `results` (key_results.json) is from an earlier run
    (the target was not the paper): say so rather than point at it as this run's paper.
    """
    paper = [Path(p) for p in paper]
    if not all(p.is_file() for p in paper):
        return ""
    results = Path(results)
    heading = "The paper:"
    if results.is_file() and min(p.stat().st_mtime for p in paper) < results.stat().st_mtime:
        heading = f"The paper is older than {results}; `snakemake --cores 2` updates it:"
    return "\n".join([heading, *(f"  {p}" for p in paper)])


def failed_jobs(run_log: str) -> list[tuple[str, list[str]]]:
    """(rule, its log files) of every job the Snakemake run log reports as failed."""
    jobs = []
    for match in _ERROR.finditer(run_log):
        logs = _LOG.search(match[2])
        jobs.append((match[1], logs[1].split(", ") if logs else []))
    return jobs


def failure(run_logs: str | Path | Sequence[str | Path] | None) -> str:
    """The failed rules with the log to read first; the run log when no job is named.

    `run_logs` is what Snakemake hands to onerror: its run log, or a list of them.
    """
    if run_logs is None:
        run_logs = []
    elif isinstance(run_logs, str | Path):
        run_logs = [run_logs]
    paths = [Path(p) for p in run_logs]
    text = "".join(p.read_text(encoding="utf-8") for p in paths if p.is_file())
    where = ", ".join(map(str, paths)) or "the output above"
    jobs = failed_jobs(text)
    if not jobs:
        return f"The workflow failed; see {where}."
    lines = ["The workflow failed."]
    for rule, logs in jobs:
        lines.append(f"  rule {rule}: see {', '.join(logs) if logs else where}")
    return "\n".join(lines)


def unexpected(program: str, where: str, error: BaseException) -> str:
    """One line for an error no rule foresaw: the program, the file it was reading, the error
    (a traceback helps no data manager; the line is enough to report the bug)."""
    text = one_line(str(error)) or "no message"
    return f"{program}: unexpected error while reading {where}: {type(error).__name__}: {text}"


def one_line(text: str) -> str:
    """A message on one line (a YAML or CSV error can span several)."""
    return " ".join(text.split())
