"""The two Quarto shortcodes the pandoc fallback resolves itself, and the files a document reads.

`{{< include path >}}` inlines a file (path relative to the including file; a leading `/` means
the project folder), recursively, before anything else. As in Quarto, a relative image path in
an included file is relative to that file: it is rewritten relative to the document.
`{{< var key.sub >}}` prints a leaf of `_variables.yml`. `{{{< ... >}}}` prints a shortcode
literally. Every problem (missing file or variable, an include cycle, any other shortcode, an
executable code cell the fallback cannot run) is collected with its file and line and raised
together: the fallback never leaves a blank where Quarto would have printed something.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

SHORTCODE = re.compile(r"(?P<escape>\{?)\{\{<\s*(?P<name>[\w-]+)(?P<args>.*?)>\}\}(?P<close>\}?)")
CODE_CELL = re.compile(r"^\s*```+\s*\{[a-zA-Z]", re.MULTILINE)
IMAGE = re.compile(r"(?P<head>!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?)(?P<path>[^)\s>]+)")
URL = re.compile(r"^[a-z][a-z0-9+.-]*:")
FRONT_MATTER = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n(?:---|\.\.\.)\s*(?:\n|\Z)", re.DOTALL)


class ShortcodeError(ValueError):
    """Every unresolved shortcode of a document, one per line."""


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _argument(args: str) -> str:
    return args.strip().strip("\"'")


def include_target(argument: str, including: Path, project: Path) -> Path:
    """Quarto's rule: relative to the including file, or to the project for '/path'."""
    if argument.startswith("/"):
        return project / argument.lstrip("/")
    return including.parent / argument


def lookup(variables: dict, key: str) -> str:
    """The printed value of a dotted key; KeyError when missing or not a single value."""
    value: Any = variables
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(key)
        value = value[part]
    if isinstance(value, dict | list) or value is None:
        raise KeyError(key)
    return str(value)


def _local(image: str) -> bool:
    return not URL.match(image) and not image.startswith("/")


def _rebase_images(text: str, source: Path, document: Path) -> str:
    """Image paths of an included file, relative to the document's folder instead."""

    def rebase(match: re.Match) -> str:
        image = match["path"]
        if not _local(image):
            return match[0]
        return match["head"] + os.path.relpath(source.parent / image, document.parent)

    return IMAGE.sub(rebase, text)


def _expand(
    path: Path,
    project: Path,
    variables: dict | None,
    stack: tuple[Path, ...],
    errors: list[str],
    mark: Callable[[str, str], str] | None = None,
) -> str:
    text = path.read_text(encoding="utf-8")
    if path != stack[0]:
        text = _rebase_images(text, path, stack[0])
    where = path.relative_to(project) if path.is_relative_to(project) else path
    for cell in CODE_CELL.finditer(text):
        errors.append(f"{where}:{_line(text, cell.start())}: executable code cell (needs Quarto)")

    def replace(match: re.Match) -> str:
        name, argument = match["name"], _argument(match["args"])
        if match["escape"] and match["close"]:
            return match[0][1:-1]
        if variables is None and name != "include":
            return match[0]  # includes only (float_labels)
        return match["escape"] + resolve(name, argument, match.start()) + match["close"]

    def resolve(name: str, argument: str, position: int) -> str:
        at = f"{where}:{_line(text, position)}: {{{{< {name} {argument} >}}}}"
        if name == "include":
            target = include_target(argument, path, project).resolve()
            if target in stack:
                errors.append(f"{at}: include cycle")
            elif not target.is_file():
                errors.append(f"{at}: no such file {target}")
            else:
                return _expand(target, project, variables, (*stack, target), errors, mark)
        elif name == "var":
            try:
                value = lookup(variables, argument)
                return mark(argument, value) if mark else value
            except KeyError:
                errors.append(f"{at}: no such value in _variables.yml")
        else:
            errors.append(f"{at}: shortcode not supported without Quarto")
        return ""

    return SHORTCODE.sub(replace, text)


def expand(
    path: str | Path,
    project: str | Path,
    variables: dict,
    mark: Callable[[str, str], str] | None = None,
) -> str:
    """The document with every include inlined and every var printed, or ShortcodeError.

    `mark(key, printed)`, when given, returns the Markdown a var prints instead of its bare
    value (the HTML links each number to its audit entry, `sbrtlung.manuscript.audit`)."""
    path, project = Path(path).resolve(), Path(project).resolve()
    errors: list[str] = []
    text = _expand(path, project, variables, (path,), errors, mark)
    if errors:
        raise ShortcodeError("\n".join(errors))
    return text


FLOAT_LABEL = re.compile(r"\{#((fig|tbl)-[\w-]+)")
DEFAULT_TITLES = {"fig": "Figure", "tbl": "Table"}


def float_labels(path: str | Path, project: str | Path, metadata: dict) -> dict[str, str]:
    """How each figure and table of a document is referred to: {"fig-swimmer": "Figure S1"}.

    The document with its includes inlined, its labels in document order, numbered per kind
    as `crossref.lua` (and Quarto) number them, with the `crossref-number-prefix` and the
    crossref `fig-prefix` / `tbl-prefix` of `metadata` (the project's) or of the document's
    front matter. Another document quotes these through `_variables.yml`, so the article can name
    the supplement's Figure S1 with either engine.
    """
    path, project = Path(path).resolve(), Path(project).resolve()
    errors: list[str] = []
    text = _expand(path, project, None, (path,), errors)
    if errors:
        raise ShortcodeError("\n".join(errors))
    own = front_matter(text)
    crossref = {**(metadata.get("crossref") or {}), **(own.get("crossref") or {})}
    prefix = str(own.get("crossref-number-prefix", metadata.get("crossref-number-prefix", "")))
    counts = dict.fromkeys(DEFAULT_TITLES, 0)
    labels = {}
    for label, kind in FLOAT_LABEL.findall(text):
        counts[kind] += 1
        title = crossref.get(f"{kind}-prefix", DEFAULT_TITLES[kind])
        labels[label] = f"{title}\u00a0{prefix}{counts[kind]}"
    return labels


def front_matter(text: str) -> dict:
    """The YAML front matter of a Markdown document ({} when there is none)."""
    match = FRONT_MATTER.match(text)
    return (yaml.safe_load(match["yaml"]) or {}) if match else {}


def _normal(path: Path) -> Path:
    """`a/../b` as `b`, keeping a relative path relative (Snakemake matches paths as text)."""
    return Path(os.path.normpath(path))


def dependencies(path: str | Path, project: str | Path) -> list[Path]:
    """Every file the document reads: includes (recursively), local images, bibliography, csl.

    Paths are relative when `path` is. Files that do not exist yet (tables a rule will write)
    are listed but not scanned.
    """
    path, project = _normal(Path(path)), Path(project)
    found: set[Path] = set()
    pending = [path]
    while pending:
        current = pending.pop()
        if not current.is_file():
            continue
        text = current.read_text(encoding="utf-8")
        for match in SHORTCODE.finditer(text):
            if match["name"] == "include" and not (match["escape"] and match["close"]):
                target = _normal(include_target(_argument(match["args"]), current, project))
                if target not in found and target != path:
                    found.add(target)
                    pending.append(target)
        images = (m["path"] for m in IMAGE.finditer(text))
        found.update(_normal(current.parent / p) for p in images if _local(p))
        if current == path:
            found.update(_normal(path.parent / p) for p in metadata_files(front_matter(text)))
    return sorted(found)


def metadata_files(metadata: dict) -> list[str]:
    """The bibliography and csl files named in front matter or `_quarto.yml`."""
    files: list[str] = []
    for key in ("bibliography", "csl"):
        value = metadata.get(key) or []
        files += [value] if isinstance(value, str) else list(value)
    return files
