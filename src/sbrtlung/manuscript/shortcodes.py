"""The two Quarto shortcodes the pandoc fallback resolves itself, and the files a document reads.

`{{< include path >}}` inlines a file (path relative to the including file; a leading `/` means
the project folder), recursively, before anything else, as Quarto does: image paths inside an
included file are therefore read relative to the document that includes it.
`{{< var key.sub >}}` prints a leaf of `_variables.yml`. `{{{< ... >}}}` prints a shortcode
literally. Every problem (missing file or variable, an include cycle, any other shortcode, an
executable code cell the fallback cannot run) is collected with its file and line and raised
together: the fallback never leaves a blank where Quarto would have printed something.
"""

import re
from pathlib import Path
from typing import Any

import yaml

SHORTCODE = re.compile(r"(?P<escape>\{?)\{\{<\s*(?P<name>[\w-]+)(?P<args>.*?)>\}\}(?P<close>\}?)")
CODE_CELL = re.compile(r"^\s*```+\s*\{[a-zA-Z]", re.MULTILINE)
IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<path>[^)\s>]+)")
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


def _expand(
    path: Path, project: Path, variables: dict, stack: tuple[Path, ...], errors: list[str]
) -> str:
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(project) if path.is_relative_to(project) else path
    for cell in CODE_CELL.finditer(text):
        errors.append(f"{where}:{_line(text, cell.start())}: executable code cell (needs Quarto)")

    def replace(match: re.Match) -> str:
        name, argument = match["name"], _argument(match["args"])
        if match["escape"] and match["close"]:
            return match[0][1:-1]
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
                return _expand(target, project, variables, (*stack, target), errors)
        elif name == "var":
            try:
                return lookup(variables, argument)
            except KeyError:
                errors.append(f"{at}: no such value in _variables.yml")
        else:
            errors.append(f"{at}: shortcode not supported without Quarto")
        return ""

    return SHORTCODE.sub(replace, text)


def expand(path: str | Path, project: str | Path, variables: dict) -> str:
    """The document with every include inlined and every var printed, or ShortcodeError."""
    path, project = Path(path).resolve(), Path(project).resolve()
    errors: list[str] = []
    text = _expand(path, project, variables, (path,), errors)
    if errors:
        raise ShortcodeError("\n".join(errors))
    return text


def front_matter(text: str) -> dict:
    """The YAML front matter of a Markdown document ({} when there is none)."""
    match = FRONT_MATTER.match(text)
    return (yaml.safe_load(match["yaml"]) or {}) if match else {}


def dependencies(path: str | Path, project: str | Path) -> list[Path]:
    """Every file the document reads: includes (recursively), local images, bibliography, csl.

    Files that do not exist yet (tables a rule will write) are listed but not scanned.
    """
    path, project = Path(path).resolve(), Path(project).resolve()
    found: list[Path] = []
    pending = [path]
    while pending:
        current = pending.pop(0)
        if not current.is_file():
            continue
        text = current.read_text(encoding="utf-8")
        for match in SHORTCODE.finditer(text):
            if match["name"] == "include" and not (match["escape"] and match["close"]):
                target = include_target(_argument(match["args"]), current, project).resolve()
                if target not in found and target != path:
                    found.append(target)
                    pending.append(target)
        for match in IMAGE.finditer(text):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", match["path"]):
                found.append((path.parent / match["path"]).resolve())
        meta = front_matter(text) if current == path else {}
        for key in ("bibliography", "csl"):
            values = meta.get(key) or []
            found += [(path.parent / v).resolve() for v in ([values] if isinstance(values, str) else values)]
    return sorted(set(found))
