"""Parts of the paper whose text depends on whether the blood markers could be analysed.

Each part has two sources in the Quarto project: `_<part>.qmd`, the full text, and
`_<part>_skipped.qmd`, the text saying that the marker analyses were not done (no lab value
of a patient who received SBRT, so ADLB has no row). The rule `manuscript_sections` writes
`_results/sections/<part>.qmd`, a single include of the right source, which the documents
include in turn; both sources are inputs of the render (`render.Project.sources`).
"""

from pathlib import Path

PARTS = ("abstract_exploratory", "markers", "prognostic_models", "markers_supplement")


def source(part: str, markers_analysed: bool) -> str:
    """The project file of a part: its full text, or the one for skipped marker analyses."""
    return f"_{part}.qmd" if markers_analysed else f"_{part}_skipped.qmd"


def write(folder: str | Path, markers_analysed: bool) -> list[Path]:
    """`<folder>/<part>.qmd` for every part: an include of its source (project-absolute)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for part in PARTS:
        path = folder / f"{part}.qmd"
        path.write_text(f"{{{{< include /{source(part, markers_analysed)} >}}}}\n", "utf-8")
        paths.append(path)
    return paths
