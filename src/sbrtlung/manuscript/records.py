"""What Snakemake itself recorded about every file it made, and the workflow's rules.

Two sources, neither kept by hand:

- Snakemake's persistence records (`.snakemake/metadata/<urlsafe base64 of the path>`, one JSON
  per output file, written when its job finishes): the rule, the input files, the log, the
  params (their values, in the order the rule declares them), the code of a shell rule, the
  start and end times. A rule that runs inside the workflow cannot ask Snakemake for a summary
  (the workdir is locked), but it can read these.
- The workflow's rules as Snakemake parsed them (`rule_structure`, evaluated while the DAG is
  built, so a rule added or renamed is seen without an edit here): the rule file and line, the
  script, the output patterns (to find the rule of a file Snakemake has no record of), the log
  and benchmark patterns and the names of the params.

`Records.chain` walks from a file through the inputs of the jobs that made it back to files no
job made (the exports delivered with `raw_dir`) or jobs with no input file (the synthetic
trial's exports, made from the config alone).
"""

import base64
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CONSTRAINT = re.compile(r"\{(\w+),[^{}]*\}")
STATIC = (type(None), bool, int, float, str, list, tuple, dict, set)


def _pattern(path: Any) -> str:
    """A file pattern without wildcard constraints: `{name,[^/]+}.log` -> `{name}.log`."""
    return _CONSTRAINT.sub(r"{\1}", str(path))


def _relative(path: str | Path, root: str | Path) -> str:
    return os.path.relpath(os.path.normpath(path), root)


def rule_structure(workflow: Any) -> dict[str, dict]:
    """Every rule of a parsed Snakemake workflow as plain data (call it from a rule's params
    function: then every rule of the workflow exists).

    Paths are relative to the workflow's working directory: `snakefile` the rule file, `script`
    the script a `script:` directive names, `outputs` the regular expressions of the output
    patterns, `logs` and `benchmark` the patterns (wildcards as `{name}`), `params` each param's
    name and value as Snakemake records it (None: a function, evaluated per job), `shell` the
    shell command template.
    """
    root = os.getcwd()
    rules = {}
    for rule in workflow.rules:
        names = sorted(((n, i) for n, (i, _) in rule.params._names.items()), key=lambda x: x[1])
        folder = os.path.dirname(rule.snakefile)
        script = rule.script and _relative(os.path.join(folder, rule.script), root)
        rules[rule.name] = {
            "snakefile": _relative(rule.snakefile, root),
            "lineno": rule.lineno,
            "script": script,
            "shell": rule.shellcmd,
            "outputs": [f.regex().pattern for f in rule.output],
            "logs": [_pattern(f) for f in rule.log],
            "benchmark": _pattern(rule.benchmark) if rule.benchmark else None,
            "params": [[name, _static(rule.params[index])] for name, index in names],
        }
    return rules


def _static(value: Any) -> str | None:
    """A param's value as Snakemake records it (`repr`), or None when it is computed per job."""
    return repr(value) if isinstance(value, STATIC) else None


@dataclass(frozen=True)
class Job:
    """The job that made one file, as far as Snakemake recorded it."""

    path: str
    rule: str
    inputs: tuple[str, ...]
    logs: tuple[str, ...]
    benchmark: str | None
    params: tuple[tuple[str, str], ...]
    snakefile: str
    lineno: int
    script: str | None
    recorded: bool  # False: no persistence record, the rule found by its output patterns
    stale: tuple[str, ...] = field(default=())


def _decode(name: str) -> str:
    return base64.urlsafe_b64decode(name.encode()).decode()


def read_metadata(folder: str | Path) -> dict[str, dict]:
    """Snakemake's persistence records by output path (a long path is split into folders
    whose names start with '@')."""
    folder = Path(folder)
    out = {}
    if not folder.is_dir():
        return out
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        parts = path.relative_to(folder).parts
        encoded = "".join(p.removeprefix("@") for p in parts)
        try:
            out[_decode(encoded)] = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue  # not a record of this format: nothing is claimed from it
    return out


def _wildcards(path: str, rule: dict) -> dict[str, str] | None:
    for pattern in rule["outputs"]:
        match = re.match(pattern, path)
        if match:
            return match.groupdict()
    return None


def _named_params(declared: list, recorded: list[str]) -> tuple[tuple[str, str], ...]:
    """The recorded params (Snakemake keeps their sorted reprs, without names) named: a
    declared value recorded as such, a value declared now but not recorded (changed since the
    file was made), and the values of functions, named when one function is left."""
    pool = list(recorded)
    named, computed = [], []
    for name, value in declared:
        if value is None:
            computed.append(name)
        elif value in pool:
            pool.remove(value)
            named.append((name, value))
        else:
            named.append((name, f"{value} {CHANGED}"))
    if len(computed) == 1 and len(pool) == 1:
        return (*named, (computed[0], pool[0]))
    return (*named, *((f"{', '.join(computed) or 'recorded'} (one of)", v) for v in pool))


CHANGED = "(the value now; the file was made with another)"


class Records:
    """The jobs of a workflow's files, from the persistence records and the rule structure."""

    def __init__(self, metadata: dict[str, dict], rules: dict[str, dict], root: str | Path = "."):
        self.metadata = metadata
        self.rules = rules
        self.root = Path(root)
        self._jobs: dict[str, Job | None] = {}

    def producer(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The rule whose output patterns match `path`, with the wildcards (first match)."""
        for name, rule in self.rules.items():
            wildcards = _wildcards(path, rule)
            if wildcards is not None:
                return name, wildcards
        return None

    def job(self, path: str) -> Job | None:
        """The job that made `path`, or None for a file no rule makes (a delivered export)."""
        if path not in self._jobs:
            self._jobs[path] = self._job(path)
        return self._jobs[path]

    def _job(self, path: str) -> Job | None:
        record = self.metadata.get(path)
        found = self.producer(path)
        name = record["rule"] if record else found and found[0]
        if not name or name not in self.rules:
            return None
        rule = self.rules[name]
        wildcards = _wildcards(path, rule) or {}
        benchmark = rule["benchmark"] and rule["benchmark"].format(**wildcards)
        logs = record.get("log") if record else [log.format(**wildcards) for log in rule["logs"]]
        params = _named_params(rule["params"], record.get("params") or []) if record else ()
        job = Job(
            path=path,
            rule=name,
            inputs=tuple(record.get("input") or ()) if record else (),
            logs=tuple(logs or ()),
            benchmark=benchmark,
            params=params,
            snakefile=rule["snakefile"],
            lineno=rule["lineno"],
            script=rule["script"],
            recorded=record is not None,
        )
        return Job(**{**job.__dict__, "stale": self._stale(job, record)})

    def _mtime(self, path: str | None) -> float | None:
        try:
            return (self.root / path).stat().st_mtime if path else None
        except OSError:
            return None

    def _stale(self, job: Job, record: dict | None) -> tuple[str, ...]:
        """Why the file may not reflect its inputs or code: an input newer than it, a script
        edited after it, a shell command changed since (what Snakemake compares itself)."""
        if record is None:
            return ("Snakemake has no record of the job that made it",)
        made = self._mtime(job.path)
        if made is None:
            return ("the file is missing",)
        reasons = [f"older than its input {i}" for i in job.inputs if (self._mtime(i) or 0) > made]
        if job.script and (self._mtime(job.script) or 0) > made:
            reasons.append(f"{job.script} was edited after the file was made")
        if any(value.endswith(CHANGED) for _, value in job.params):
            reasons.append("a param of the rule changed since the file was made")
        shell = self.rules[job.rule]["shell"]
        if record.get("code") is not None and shell is not None and record["code"] != shell:
            reasons.append("the rule's shell command changed since the file was made")
        return tuple(reasons)

    def chain(self, path: str) -> list[Job]:
        """Every job upstream of `path` (its own first), breadth first: each file once."""
        seen, order, queue = {path}, [], [path]
        while queue:
            current = queue.pop(0)
            job = self.job(current)
            if job is None:
                continue
            order.append(job)
            for source in job.inputs:
                if source not in seen:
                    seen.add(source)
                    queue.append(source)
        return order
