"""The audit page of the paper: every generated number, table and figure traced to what made it.

One entry per `{{< var key >}}` the documents quote (in the order they first print it) and one
per labelled figure and table. An entry gives what was printed, the unrounded value(s) and
their kind, the results file the value was read from, the rule that wrote it (rule file and
line, script, log, benchmark record, the params with the config values it used), the chain of
jobs from there back to the raw exports with the SHA-256 of each, and, for a rate, the analysis
dataset and parameter, population flag, units and events. Everything about jobs and files comes
from Snakemake's own records (`sbrtlung.manuscript.records`); a value of `key_results.json` is
traced into the input of the rule `key_results` that holds it (a float found there, or a field
of the same name and value); a rate is described from the declarations of its row
(`analysis.efficacy.RATES` and `FLAGS`, `adam.endpoints.ENDPOINTS`).

Written twice: `audit.html` beside the paper (self-contained, relative links into the
repository, readable from the file system) and `results/audit.csv` for scripts. The CSV holds
no time and no commit, so that the same build gives the same bytes; the page names the commit
provenance recorded.
"""

import csv
import html
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sbrtlung.adam.endpoints import ENDPOINTS
from sbrtlung.analysis.efficacy import FLAGS
from sbrtlung.manuscript import shortcodes
from sbrtlung.manuscript.audit_links import float_anchor
from sbrtlung.manuscript.records import Job, Records
from sbrtlung.manuscript.render import load_project
from sbrtlung.manuscript.variables import quoted_config
from sbrtlung.reporting.key_results import POINT_FIELDS
from sbrtlung.reporting.provenance import sha256

KEY_RESULTS = "results/key_results.json"
VARIABLES = "manuscript/_variables.yml"
TEXT_FIELDS = ("text", "text_nested")
INTERVALS = ("ci95", "range_cv")
# ENDPOINTS declares the parameters of ADTTE (adam/endpoints.py, interpreted by adam/adtte.py).
TTE_DATASET = "ADTTE"
CSV_COLUMNS = (
    "key",
    "text",
    "value",
    "kind",
    "file",
    "rule",
    "script",
    "inputs",
    "origin",
    "origin_rule",
    "origin_script",
    "raw_exports",
    "stale",
)
_DIV_OPEN = re.compile(r"^:::+\s*\{?\s*(?:#((?:fig|tbl)-[\w-]+))?")
_DIV_CLOSE = re.compile(r"^:::+\s*$")
_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)[^)]*\)(?:\{#(fig-[\w-]+))?")
OPEN_CHAIN = 16  # a chain of at most this many rules is shown unfolded
SHOWN = 4  # files of one rule listed in a chain
_CAPTION_LABEL = re.compile(r"^(?:Table)?:\s.*\{#(tbl-[\w-]+)")


@dataclass
class Entry:
    """One audited item of the paper."""

    anchor: str
    key: str
    document: str
    text: str
    kind: str
    values: list[tuple[str, Any]]
    file: str
    sources: list[str] = field(default_factory=list)  # the files the value was made from
    configured: bool = False  # from the configuration or the documents, not from the data
    row: dict[str, Any] | None = None
    rate: list[tuple[str, str]] = field(default_factory=list)
    chain: list[Job] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)

    @property
    def job(self) -> Job | None:
        return self.chain[0] if self.chain else None

    @property
    def origin(self) -> str | None:
        return self.sources[0] if self.sources else None

    @property
    def origin_job(self) -> Job | None:
        return next((job for job in self.chain if job.path == self.origin), None)


# --- what the documents print ------------------------------------------------------------


def quoted_keys(project: str | Path, variables: dict) -> dict[str, list[str]]:
    """Per document, the var keys it prints (includes inlined), in the order they first appear."""
    loaded = load_project(project)
    out = {}
    for stem in loaded.documents:
        keys: list[str] = []

        def collect(key: str, printed: str, keys: list[str] = keys) -> str:
            keys.append(key)
            return printed

        shortcodes.expand(loaded.directory / f"{stem}.qmd", loaded.directory, variables, collect)
        out[stem] = list(dict.fromkeys(keys))
    return out


def float_files(project: str | Path) -> dict[str, dict[str, list[str]]]:
    """Per document, each labelled figure and table with the files it shows: the images of a
    figure, the included table files of a table div, the included file a `Table: ... {#tbl-x}`
    caption sits in (a table typed in the document itself shows none: its numbers are vars)."""
    loaded = load_project(project)
    return {
        stem: _scan(loaded.directory / f"{stem}.qmd", loaded.directory, {}, [], ())
        for stem in loaded.documents
    }


def _scan(
    path: Path,
    project: Path,
    found: dict[str, list[str]],
    stack: list[str | None],
    seen: tuple[Path, ...],
) -> dict[str, list[str]]:
    own = path.suffix != ".qmd"  # a generated table file, not a document or its partial
    for line in path.read_text(encoding="utf-8").splitlines():
        if _DIV_CLOSE.match(line):
            if stack:
                stack.pop()
            continue
        opened = _DIV_OPEN.match(line)
        if opened and line.lstrip(":").strip():
            stack.append(opened[1])
            if opened[1]:
                found.setdefault(opened[1], [])
            continue
        current = next((label for label in reversed(stack) if label), None)
        caption = _CAPTION_LABEL.match(line)
        if caption:
            found.setdefault(caption[1], []).extend([_name(path)] if own else [])
        for image in _IMAGE.finditer(line):
            label = image[2] or current
            if label:
                found.setdefault(label, []).append(_name(path.parent / image[1]))
        for match in shortcodes.SHORTCODE.finditer(line):
            if match["name"] != "include" or (match["escape"] and match["close"]):
                continue
            target = shortcodes.include_target(shortcodes._argument(match["args"]), path, project)
            if current:
                found.setdefault(current, []).append(_name(target))
            if target.is_file() and target.resolve() not in seen:
                _scan(target, project, found, stack, (*seen, target.resolve()))
    return found


def _name(path: Path) -> str:
    return os.path.normpath(path)


# --- values --------------------------------------------------------------------------------


def _walk(tree: Any, parts: list[str]) -> tuple[bool, Any, str | None]:
    """The value at `parts`, whether it exists, and the nearest declared kind on the way."""
    kind = None
    for part in parts:
        if isinstance(tree, dict) and "kind" in tree:
            kind = tree["kind"]
        if not isinstance(tree, dict) or part not in tree:
            return False, None, kind
        tree = tree[part]
    if isinstance(tree, dict) and set(tree) == {"kind", "value"}:
        return True, tree["value"], tree["kind"]
    return True, tree, kind


def values_of(tree: dict, key: str) -> tuple[list[tuple[str, Any]], str]:
    """The unrounded value(s) a printed key stands for, and their kind: a text is its point
    value with its interval, an interval its two limits, `x_lower` one limit."""
    parts = key.split(".")
    exists, value, kind = _walk(tree, parts)
    if exists and not isinstance(value, dict):
        return [(parts[-1], value)], kind or _kind_of(value)
    parent_exists, parent, parent_kind = _walk(tree, parts[:-1])
    last = parts[-1]
    if parent_exists and isinstance(parent, dict):
        parent_kind = parent.get("kind", parent_kind)
        if last in TEXT_FIELDS:
            names = [f for f in (*POINT_FIELDS, *INTERVALS) if f in parent]
            return [(name, parent[name]) for name in names], parent_kind or "text"
        for end, index in (("_lower", 0), ("_upper", 1)):
            base = last.removesuffix(end)
            if last.endswith(end) and isinstance(parent.get(base), list):
                return [(last, parent[base][index])], parent_kind or "number"
    return [], "text"


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int):
        return "count"
    return "text" if isinstance(value, str) or value is None else "number"


def _floats(tree: Any) -> set[float]:
    """The non-integer numbers of a tree (a float equal to an integer says nothing)."""
    if isinstance(tree, dict):
        return set().union(*(_floats(v) for v in tree.values())) if tree else set()
    if isinstance(tree, list | tuple):
        return set().union(*(_floats(v) for v in tree)) if tree else set()
    if isinstance(tree, float) and math.isfinite(tree) and not tree.is_integer():
        return {_round(tree)}
    return set()


def _round(value: float) -> float:
    return float(f"{value:.10g}")


def _named_leaves(tree: Any, name: str = "") -> list[tuple[str, Any]]:
    if isinstance(tree, dict):
        return [leaf for k, v in tree.items() for leaf in _named_leaves(v, str(k))]
    return [(name, tree)]


class Sources:
    """The inputs of one job read once, to find the file (and row) holding a value."""

    def __init__(self, paths: tuple[str, ...], root: Path):
        self.tables: dict[str, list[dict]] = {}
        self.trees: dict[str, Any] = {}
        for path in paths:
            if path.endswith(".csv"):
                with open(root / path, newline="", encoding="utf-8") as handle:
                    self.tables[path] = list(csv.DictReader(handle))
            elif path.endswith(".json"):
                self.trees[path] = json.loads((root / path).read_text(encoding="utf-8"))

    def locate(self, entry: Any, name: str) -> tuple[str | None, dict | None]:
        """The input holding `entry`: every float of it (a CSV: in one row), else a field of
        the same name and value.

        Rows that hold every float (a rate at 1 and 2 years is the same when nothing happened
        in between) are told apart by the entry's other values (counts), then by the words of
        its name among the row's cells (`lcr_2y`: a row of `lcr` at `2y`)."""
        wanted = _floats(entry)
        if wanted:
            others = {str(v) for _, v in _named_leaves(entry) if not isinstance(v, float)}
            words = set(re.split(r"[_.]", name))
            for path, rows in self.tables.items():
                holding = [row for row in rows if wanted <= {_number(c) for c in row.values()}]
                if holding:
                    cells = [set(row.values()) for row in holding]
                    best = max(
                        range(len(holding)),
                        key=lambda i: (len(others & cells[i]), len(words & cells[i]), -i),
                    )
                    return path, holding[best]
            for path, tree in self.trees.items():
                if wanted <= _floats(tree):
                    return path, None
            return None, None
        for path, tree in self.trees.items():
            if (name, entry) in _named_leaves(tree) or (
                isinstance(entry, dict) and _contains(tree, entry)
            ):
                return path, None
        return None, None


def _contains(tree: Any, wanted: dict) -> bool:
    if tree == wanted:
        return True
    return isinstance(tree, dict) and any(_contains(v, wanted) for v in tree.values())


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return _round(value) if math.isfinite(value) else None


def rate_details(row: dict[str, str]) -> list[tuple[str, str]]:
    """For a row of a rate (a `paramcd` and a `population`): dataset, parameter, population
    flag, units and events, from the endpoint's declaration."""
    endpoints = {e.paramcd: e for e in ENDPOINTS}
    endpoint = endpoints.get(row.get("paramcd", ""))
    if endpoint is None or row.get("population") not in FLAGS:
        return []
    units = "nodules" if endpoint.level == "lesion" else "patients"
    counted = "; ".join(source.description for source in endpoint.events)
    competing = "; ".join(source.description for source in endpoint.competing) or "none"
    details = [
        ("analysis dataset", TTE_DATASET),
        ("parameter", f"PARAMCD {endpoint.paramcd} ({endpoint.param})"),
        ("population flag", f"{FLAGS[row['population']]} ({row['population']} set)"),
        ("units", f"{row.get('n_units', '?')} {units} of {row.get('n_patients', '?')} patients"),
        ("events counted", f"{counted}: {row.get('n_events_by_time', '?')} by {row.get('time')}"),
        ("competing events", competing),
    ]
    if row.get("estimator"):
        details.append(("estimator", f"{row['estimator']}, CI {row.get('ci_method', '')}"))
    return details


# --- entries -------------------------------------------------------------------------------


def build_entries(
    project: str | Path,
    records: Records,
    raw: list[str],
    config: dict,
    root: str | Path = ".",
) -> list[Entry]:
    """Every entry of the audit page, numbers first (per document, in reading order), then
    each document's figures and tables."""
    root = Path(root)
    variables = yaml.safe_load((root / VARIABLES).read_text(encoding="utf-8"))
    key_results = json.loads((root / KEY_RESULTS).read_text(encoding="utf-8"))
    tree = {**key_results, "config": quoted_config(config)}
    results_job = records.job(KEY_RESULTS)
    sources = Sources(results_job.inputs if results_job else (), root)
    raw_set = set(raw)
    entries, done = [], set()
    for document, keys in quoted_keys(project, variables).items():
        for key in keys:
            if key in done:
                continue
            done.add(key)
            entries.append(_number_entry(key, document, variables, tree, key_results, sources))
    for document, floats in float_files(project).items():
        for label, shown in floats.items():
            files = [f for f in shown if records.job(f)] or shown  # made by a rule, if any
            reference = variables.get("xref", {}).get(document, {}).get(label, label)
            entries.append(
                Entry(
                    anchor=float_anchor(document, label),
                    key=label,
                    document=document,
                    text=str(reference).replace("\u00a0", " "),
                    kind="figure" if label.startswith("fig-") else "table",
                    values=[],
                    file=files[0] if files else f"{project}/{document}.qmd",
                    sources=list(dict.fromkeys(_copied(records, f) for f in files)),
                )
            )
    for entry in entries:
        entry.chain = _chain(records, entry.file, entry.sources, entry.configured)
        files = {entry.file} | {i for job in entry.chain for i in job.inputs}
        entry.raw = sorted(files & raw_set)
    return entries


def _copied(records: Records, path: str) -> str:
    """The file `path` is a copy of (a job with one input of the same name), else `path`:
    the paper shows copies of the results (`manuscript_result`)."""
    job = records.job(path)
    if job and len(job.inputs) == 1 and Path(job.inputs[0]).name == Path(path).name:
        return job.inputs[0]
    return path


def _chain(records: Records, file: str, sources: list[str], configured: bool) -> list[Job]:
    """The job of `file`, then the jobs upstream of the files its value was made from (all
    of its job's inputs when the value was not found in one of them; none for a value of the
    configuration)."""
    first = records.job(file)
    if configured:
        return [first] if first else []
    starts = [s for s in sources if s != file] or ([file] if first is None else list(first.inputs))
    jobs = {} if first is None else {file: first}
    for start in starts:
        for job in records.chain(start):
            jobs.setdefault(job.path, job)
    return list(jobs.values())


def _number_entry(
    key: str, document: str, variables: dict, tree: dict, key_results: dict, sources: Sources
) -> Entry:
    text = shortcodes.lookup(variables, key)
    top = key.split(".")[0]
    in_results = top in key_results
    if in_results or top == "config":
        values, kind = values_of(tree, key)
    else:
        values, kind = [], "text"
    entry = Entry(
        anchor=key,
        key=key,
        document=document,
        text=text,
        kind=kind,
        values=values,
        file=KEY_RESULTS if in_results else VARIABLES,
        configured=not in_results,
    )
    if in_results:
        parts = key.split(".")
        if len(parts) == 1:
            holder, name = key_results[top], top
        else:
            holder, name = _walk(key_results, parts[:-1])[1], parts[-2]
        origin, entry.row = sources.locate(holder, name)
        entry.sources = [origin] if origin else []
        if entry.row:
            entry.rate = rate_details(entry.row)
    return entry


# --- outputs -------------------------------------------------------------------------------


def _value_text(values: list[tuple[str, Any]]) -> str:
    return "; ".join(f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in values)


def _raw_text(raw: list[str], hashes: dict[str, str]) -> str:
    return "; ".join(f"{path}={hashes[path]}" for path in raw)


def csv_text(entries: list[Entry], hashes: dict[str, str]) -> str:
    """`results/audit.csv`: one row per entry (numbers, then figures and tables)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        job, origin = e.job, e.origin_job
        stale = sorted({f"{j.path}: {why}" for j in e.chain for why in j.stale})
        writer.writerow(
            [
                e.key if e.kind not in ("figure", "table") else e.anchor,
                e.text,
                _value_text(e.values),
                e.kind,
                e.file,
                job.rule if job else "",
                (job.script or "") if job else "",
                ";".join(job.inputs) if job else "",
                e.origin or "",
                origin.rule if origin else "",
                (origin.script or "") if origin else "",
                _raw_text(e.raw, hashes),
                " | ".join(stale),
            ]
        )
    return out.getvalue()


STYLE = """
body { font-family: Georgia, serif; max-width: 62em; margin: 0 auto; padding: 1.5em;
  line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
section.entry { border-top: 1px solid #e3e3e3; padding: 0.6em 0 0.8em; }
section.entry:target { background: #fff8dc; outline: 2px solid #e0c060; }
h3 { font-size: 1.05em; margin: 0.2em 0 0.4em; font-family: monospace; }
dl { display: grid; grid-template-columns: 11em 1fr; gap: 0.15em 1em; margin: 0; }
dt { color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
code, .hash { font-family: monospace; font-size: 0.88em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.3em 0; }
td, th { border: 1px solid #ddd; padding: 0.15em 0.5em; vertical-align: top; text-align: left; }
.stale { color: #a00000; font-weight: bold; }
.printed { font-size: 1.1em; }
"""


def _link(path: str, up: str, text: str | None = None) -> str:
    """A link from the page to a file: relative inside the workflow's folder, else a file URL
    (exports delivered from another folder with `raw_dir`)."""
    href = Path(path).as_uri() if os.path.isabs(path) else f"{up}{path}"
    target = html.escape(href, quote=True)
    return f'<a href="{target}"><code>{html.escape(text or path)}</code></a>'


def _params(job: Job) -> str:
    if not job.params:
        return "none"
    items = []
    for name, value in job.params:
        shown = value if len(value) <= 240 else value[:240] + " …"
        items.append(f"<code>{html.escape(name)}</code> = <code>{html.escape(shown)}</code>")
    return "<br>".join(items)


def _job_rows(job: Job, up: str, commit: str) -> list[tuple[str, str]]:
    rule_file = _link(job.snakefile, up, f"{job.snakefile}:{job.lineno}")
    script = (
        (_link(job.script, up) + f" at commit <code>{commit}</code>")
        if job.script
        else ("shell command (no script)")
    )
    rows = [
        ("rule", f"<code>{job.rule}</code> in {rule_file}"),
        ("script", script),
        ("log", ", ".join(_link(log, up) for log in job.logs) or "none"),
        ("benchmark", _link(job.benchmark, up) if job.benchmark else "none"),
        ("params (config used)", _params(job)),
    ]
    if job.stale:
        rows.append(
            ("stale", '<span class="stale">' + html.escape("; ".join(job.stale)) + "</span>")
        )
    return rows


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _by_rule(chain: list[Job]) -> dict[str, list[Job]]:
    out: dict[str, list[Job]] = {}
    for job in chain:
        out.setdefault(job.rule, []).append(job)
    return out


def _chain_row(rule: str, jobs: list[Job], up: str) -> str:
    """One rule of a chain: its code and the files it wrote (at most `SHOWN`, then a count)."""
    first = jobs[0]
    code = _link(first.script, up) if first.script else "shell command"
    files = [
        _link(j.path, up) + (" <span class=stale>stale</span>" if j.stale else "") for j in jobs
    ]
    more = f" and {len(files) - SHOWN} more" if len(files) > SHOWN else ""
    rule_file = _link(first.snakefile, up, f"{first.snakefile}:{first.lineno}")
    return (
        f"<tr><td><code>{rule}</code></td><td>{rule_file}<br>{code}</td>"
        f"<td>{'<br>'.join(files[:SHOWN])}{more}</td></tr>"
    )


def _entry_html(e: Entry, up: str, commit: str, hashes: dict[str, str]) -> str:
    rows = [
        ("printed", f'<span class="printed">{html.escape(e.text)}</span>'),
        ("kind", html.escape(e.kind)),
    ]
    if e.values:
        rows.append(("unrounded", html.escape(_value_text(e.values))))
    rows.append(("read from", _link(e.file, up)))
    if e.job:
        rows += _job_rows(e.job, up, commit)
    if e.origin and e.origin != e.file:
        rows.append(("value comes from", _link(e.origin, up)))
        if e.row:
            shown = {k: v for k, v in e.row.items() if _number(v) is None or k in ("time",)}
            rows.append(("row", html.escape(", ".join(f"{k}={v}" for k, v in shown.items()))))
        if e.origin_job:
            rows += _job_rows(e.origin_job, up, commit)
    for name, value in e.rate:
        rows.append((html.escape(name), html.escape(value)))
    chain = "".join(_chain_row(rule, jobs, up) for rule, jobs in _by_rule(e.chain).items())
    raw = "".join(f"<tr><td>{_link(p, up)}</td><td class=hash>{hashes[p]}</td></tr>" for p in e.raw)
    title = html.escape(e.key if e.kind not in ("figure", "table") else f"{e.text} ({e.key})")
    return (
        f'<section class="entry" id="{html.escape(e.anchor, quote=True)}"><h3>{title}</h3>'
        + _dl(rows)
        + f"<details{' open' if len(_by_rule(e.chain)) <= OPEN_CHAIN else ''}>"
        + f"<summary>Chain back to the raw exports: {_count(len(_by_rule(e.chain)), 'rule')}, "
        + f"{_count(len(e.chain), 'file')}</summary><table><tr><th>rule</th><th>code</th>"
        + f"<th>writes</th></tr>{chain}</table></details>"
        + (
            f"<p>Raw exports ({len(e.raw)}), SHA-256:</p><table>{raw}</table>"
            if e.raw
            else "<p>Raw exports: none. "
            + (
                "The value is a setting of the configuration or a name the documents give.</p>"
                if e.configured
                else "No raw export is upstream: computed from the configuration alone.</p>"
            )
        )
        + "</section>"
    )


def page(entries: list[Entry], hashes: dict[str, str], git: dict, up: str) -> str:
    """The self-contained audit page (no script, inline style, relative links)."""
    commit = (git.get("commit") or "not a git checkout")[:12]
    dirty = " with uncommitted changes" if git.get("dirty") else ""
    docs: dict[str, list[Entry]] = {}
    for e in entries:
        docs.setdefault(e.document, []).append(e)
    body = []
    for document, items in docs.items():
        body.append(f'<h2>In <a href="{document}.html">{html.escape(document)}.html</a></h2>')
        body += [_entry_html(e, up, commit, hashes) for e in items]
    stale = sum(1 for e in entries if any(j.stale for j in e.chain))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Audit of the paper</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>Audit of the paper: every number, table and figure, traced</h1>"
        f"<p>{len(entries)} entries, from Snakemake's records of the build (.snakemake/metadata) "
        f"and the workflow's rules; code at commit <code>{html.escape(commit)}</code>{dirty} "
        "(results/provenance.json). Links lead to the files of the workflow's folder. "
        + (
            f'<span class="stale">{"1 entry is" if stale == 1 else f"{stale} entries are"} '
            "stale: see below.</span>"
            if stale
            else "No entry is stale."
        )
        + "</p>"
        + "".join(body)
        + "</body></html>\n"
    )


def write(
    project: str | Path,
    metadata: dict[str, dict],
    rules: dict[str, dict],
    raw: list[str],
    config: dict,
    provenance: str | Path,
    html_path: str | Path,
    csv_path: str | Path,
) -> list[Entry]:
    """Build the entries and write the page and the CSV (the I/O of the rule `audit`)."""
    records = Records(metadata, rules)
    entries = build_entries(project, records, raw, config)
    hashes = {path: sha256(path) for path in sorted({p for e in entries for p in e.raw})}
    git = json.loads(Path(provenance).read_text(encoding="utf-8")).get("git") or {}
    up = os.path.relpath(".", Path(html_path).parent) + "/"
    Path(html_path).write_text(page(entries, hashes, git, up), encoding="utf-8")
    Path(csv_path).write_text(csv_text(entries, hashes), encoding="utf-8")
    return entries
