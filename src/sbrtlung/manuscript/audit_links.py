"""Where the HTML paper links each generated number, table and figure: its audit entry.

The audit page (`AUDIT_PAGE`, written by `sbrtlung.manuscript.audit` beside the paper) has one
entry per `{{< var key >}}` the documents quote, whose id is the key, and one per labelled
figure and table, whose id is `<document>-<label>`. Only the HTML carries the links: the
fallback expands the shortcodes a second time for it, with `mark`, and runs `audit.lua` on it,
which adds a marker to every caption. DOCX and PDF are rendered from the unmarked text.
"""

from importlib import resources
from pathlib import Path

AUDIT_PAGE = "audit.html"


def float_anchor(document: str, label: str) -> str:
    """The id of a figure's or table's entry: `index-fig-pfs-os`."""
    return f"{document}-{label}"


def mark(key: str, printed: str) -> str:
    """A var's printed value as a Markdown link to its entry (class `audit`, styled in
    `style.css` to read as text)."""
    text = printed.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{text}]({AUDIT_PAGE}#{key}){{.audit}}"


def lua_filter() -> Path:
    """The pandoc filter that adds the audit marker to each figure and table caption."""
    return Path(str(resources.files("sbrtlung.manuscript").joinpath("audit.lua")))
