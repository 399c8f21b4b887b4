"""Render the Quarto manuscript project to HTML, DOCX and PDF, with Quarto or without it.

With a `quarto` executable on PATH: `quarto render <project>`, which reads `_quarto.yml` and
`_variables.yml` itself (what Quarto leaves unresolved, it only warns about: the HTML is
searched for it afterwards). Without one, the same `.qmd` sources go through a small fallback:
`shortcodes.expand` (includes, vars), then pandoc 3 (`--citeproc`, the `crossref.lua` filter)
to a self-contained HTML file, a DOCX file and typst source, and typst to the PDF. The fallback
reads the top-level keys of `_quarto.yml` other than `project` and `format` as document
metadata (bibliography, csl, crossref, lang, ...), which the document's front matter overrides,
and of `format` the HTML style sheets (`html: css`) and the DOCX reference document (`docx:
reference-doc`), as Quarto does. A reference document named `_reference.docx` is made by code
before either engine runs (`sbrtlung.manuscript.docx`: A4, line numbers).

Both paths write `<output-dir>/<stem>.{html,docx,pdf}` for each document of `project.render`.
Bytes are reproducible: SOURCE_DATE_EPOCH (taken from the environment, else fixed) dates the
DOCX and the typst compilation, the PDF carries no date, and pandoc warnings (a citation not
in the bibliography, a missing image) are errors.
"""

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pypandoc
import typst
import yaml

from sbrtlung.manuscript import audit_links, docx, shortcodes

FORMATS = ("html", "docx", "pdf")
ENGINES = ("auto", "quarto", "pandoc")
DEFAULT_EPOCH = "315532800"  # 1980-01-01, the earliest date a ZIP (DOCX) entry can carry
GENERATED_REFERENCE = "_reference.docx"  # made by sbrtlung.manuscript.docx, never kept
PANDOC_FORMAT_ARGS = {
    "html": ["-t", "html5", "--standalone", "--embed-resources"],
    "docx": ["-t", "docx"],
}


class RenderError(RuntimeError):
    """A document that cannot be rendered; the message names the cause."""


@dataclass(frozen=True)
class Project:
    """A Quarto manuscript project as both render paths see it."""

    directory: Path
    documents: tuple[str, ...]
    output_dir: Path
    metadata: dict
    formats: dict

    def format_files(self, fmt: str, key: str) -> list[str]:
        """Files a format option names (`html: css`, `docx: reference-doc`), as listed."""
        options = self.formats.get(fmt) if isinstance(self.formats, dict) else None
        value = options.get(key) if isinstance(options, dict) else None  # `docx: default`
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    def outputs(self) -> list[Path]:
        """Every file a render writes, document by document."""
        return [self.output_dir / f"{doc}.{ext}" for doc in self.documents for ext in FORMATS]

    def sources(self) -> list[Path]:
        """Every file the documents read (for Snakemake inputs), project config included.

        The partials (`_*.qmd`) count with what they read, included or not yet: a generated
        include (`sbrtlung.manuscript.sections`) picks one of them only when results exist.
        """
        found = {self.directory / "_quarto.yml"}
        found.update(self.directory / name for name in shortcodes.metadata_files(self.metadata))
        found.update(self.directory / name for name in self.format_files("html", "css"))
        partials = sorted(self.directory.glob("_*.qmd"))
        for path in [*(self.directory / f"{doc}.qmd" for doc in self.documents), *partials]:
            found.add(path)
            found.update(shortcodes.dependencies(path, self.directory))
        return sorted(found)


def load_project(directory: str | Path) -> Project:
    """Read `_quarto.yml`: the documents (`project.render`, .qmd files) and the output folder."""
    directory = Path(directory)
    config = yaml.safe_load((directory / "_quarto.yml").read_text(encoding="utf-8")) or {}
    project = config.get("project") or {}
    render = project.get("render") or sorted(
        p.name for p in directory.glob("*.qmd") if not p.name.startswith(("_", "."))
    )
    if not render or any(not name.endswith(".qmd") for name in render):
        raise RenderError(f"{directory}/_quarto.yml: project.render must list .qmd files")
    metadata = {k: v for k, v in config.items() if k not in ("project", "format")}
    return Project(
        directory=directory,
        documents=tuple(Path(name).stem for name in render),
        output_dir=directory / project.get("output-dir", "_output"),
        metadata=metadata,
        formats=config.get("format") or {},
    )


def prepare(project: Project) -> None:
    """Files the render reads that code makes: the reference DOCX, when the project names it."""
    if GENERATED_REFERENCE in project.format_files("docx", "reference-doc"):
        docx.reference_docx(project.directory / GENERATED_REFERENCE)


def select_engine(engine: str = "auto") -> str:
    """'quarto' when asked, or when `auto` and a quarto executable is on PATH; else 'pandoc'."""
    if engine not in ENGINES:
        raise RenderError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "auto":
        return "quarto" if shutil.which("quarto") else "pandoc"
    return engine


def _environment() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)}


def _run(command: list[str], cwd: Path, stdin: str | None = None) -> None:
    done = subprocess.run(
        command, cwd=cwd, input=stdin, capture_output=True, text=True, env=_environment()
    )
    if done.returncode != 0:
        raise RenderError(f"{Path(command[0]).name} failed:\n{done.stderr.strip()}")


def _check_outputs(project: Project) -> list[Path]:
    missing = [str(p) for p in project.outputs() if not p.is_file()]
    if missing:
        raise RenderError("the render did not write " + ", ".join(missing))
    return project.outputs()


def unresolved_in_quarto_html(html: str) -> list[str]:
    """What Quarto prints, with only a warning, for a missing var ('?var:key'), cross
    reference ('?@fig-x') or citation (a bold 'key?' in the citation's span)."""
    found = re.findall(r"\?var:[\w.-]+|\?@[\w-]+", html)
    return found + re.findall(r'data-cites="[^"]*">[^<]*<strong>([^<]+\?)</strong>', html)


def render_quarto(project: Project) -> list[Path]:
    """`quarto render` of the whole project (formats and options from `_quarto.yml`), held to
    the fallback's standard: anything unresolved in the HTML is an error."""
    _run([shutil.which("quarto") or "quarto", "render", "."], cwd=project.directory)
    outputs = _check_outputs(project)
    for html in (p for p in outputs if p.suffix == ".html"):
        unresolved = unresolved_in_quarto_html(html.read_text(encoding="utf-8"))
        if unresolved:
            raise RenderError(f"{html.name}: unresolved " + ", ".join(sorted(set(unresolved))))
    return outputs


def _package_file(name: str) -> Path:
    return Path(str(resources.files("sbrtlung.manuscript").joinpath(name)))


def _pandoc(text: str, project: Project, metadata: Path, args: list[str]) -> None:
    command = [
        pypandoc.get_pandoc_path(),
        "--from=markdown",
        f"--metadata-file={metadata}",
        f"--lua-filter={_package_file('crossref.lua')}",
        "--citeproc",
        f"--resource-path={project.directory.resolve()}",
        # Output unwrapped; pipe tables keep the default 72 columns, past which a table takes
        # the text width with the relative column widths of its separator line.
        "--wrap=none",
        "--fail-if-warnings",
        *args,
    ]
    _run(command, cwd=project.directory.resolve(), stdin=text)


def _compile_typst(source: Path, pdf: Path) -> None:
    """typst with its embedded fonts only (no machine-dependent fonts), dated by the epoch."""
    epoch = int(_environment()["SOURCE_DATE_EPOCH"])
    try:
        result, warnings = typst.compile_with_warnings(
            str(source), root="/", ignore_system_fonts=True, timestamp=epoch
        )
    except typst.TypstError as error:
        raise RenderError(f"typst failed on {source}:\n{error}") from error
    if warnings:
        raise RenderError(f"typst warnings on {source}:\n" + "\n".join(map(str, warnings)))
    pdf.write_bytes(result)


def render_document(project: Project, stem: str, variables: dict, keep_typst: bool = False) -> None:
    """One `.qmd` through the fallback: expand, then HTML, DOCX, and typst -> PDF."""
    text = shortcodes.expand(project.directory / f"{stem}.qmd", project.directory, variables)
    out = project.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.yml"
        metadata.write_text(yaml.safe_dump(project.metadata), encoding="utf-8")
        options = {
            "html": [f"--css={css}" for css in project.format_files("html", "css")],
            "docx": [f"--reference-doc={r}" for r in project.format_files("docx", "reference-doc")],
        }
        # The HTML links every number and caption to its entry of the audit page.
        options["html"] += [f"--lua-filter={audit_links.lua_filter()}", f"-Maudit-document={stem}"]
        marked = shortcodes.expand(
            project.directory / f"{stem}.qmd", project.directory, variables, audit_links.mark
        )
        for fmt, args in PANDOC_FORMAT_ARGS.items():
            output = f"--output={out / f'{stem}.{fmt}'}"
            body = marked if fmt == "html" else text
            _pandoc(body, project, metadata, [*args, *options[fmt], output])
        source = (out if keep_typst else Path(tmp)) / f"{stem}.typ"
        template = f"--template={_package_file('template.typ')}"
        _pandoc(text, project, metadata, ["-t", "typst", template, f"--output={source}"])
        _compile_typst(source, out / f"{stem}.pdf")


def render_pandoc(project: Project, keep_typst: bool = False) -> list[Path]:
    """Every document of the project through the pandoc + typst fallback."""
    path = project.directory / "_variables.yml"
    variables = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for stem in project.documents:
        try:
            render_document(project, stem, variables or {}, keep_typst)
        except shortcodes.ShortcodeError as error:
            raise RenderError(f"unresolved in {stem}.qmd:\n{error}") from error
        except RenderError as error:
            raise RenderError(f"{stem}.qmd: {error}") from error
    return _check_outputs(project)


def render(directory: str | Path, engine: str = "auto", keep_typst: bool = False) -> list[Path]:
    """Render the project in `directory` with the engine `select_engine` chooses (logged);
    returns the files written."""
    project = load_project(directory)
    prepare(project)
    chosen = select_engine(engine)
    logging.getLogger(__name__).info("engine: %s", chosen)
    if chosen == "quarto":
        return render_quarto(project)
    return render_pandoc(project, keep_typst)


def main(argv: list[str] | None = None) -> None:
    """`python -m sbrtlung.manuscript.render [manuscript] [--engine auto|quarto|pandoc]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="manuscript")
    parser.add_argument("--engine", choices=ENGINES, default="auto")
    parser.add_argument("--keep-typst", action="store_true", help="keep <stem>.typ (fallback)")
    args = parser.parse_args(argv)
    try:
        written = render(args.directory, args.engine, args.keep_typst)
    except RenderError as error:
        sys.exit(f"manuscript: {error}")
    print("wrote " + ", ".join(map(str, written)))


if __name__ == "__main__":
    main()
