"""Typographic checks of the rendered paper: what a copy editor sends back.

`problems(html)` reads a rendered HTML document and returns every place, in its visible text
(prose, tables, captions, reference list), where

- round brackets nest ("57.6% (95% CI 47.2-67.5)" inside brackets: use "57.6%, 95% CI ..."),
  or follow each other ("92.4% (95% CI 85.8–96.0) (Table 4)": one bracket holds both);
- an ASCII comparison operator stands for a sign (">=", "<=", "!=", "=>", "=<": write ≥, ≤);
- a hyphen-minus serves as a minus sign or a range dash ("-0.04", "47.2-67.5": the paper writes
  −0.04 and 47.2–67.5), so that minus signs and dashes are never mixed;
- an internal code name shows: a snake_case identifier (`wbc_change_end_of_treatment`; a file
  name such as `marker_cox.csv` is allowed), or an analysis-dataset code (LFPT, SAFFL, TRTSDY).

Text set as code (`<code>`: a rule id or a column name of the data contract, a platform
string) is a deliberate reference, not prose, and is not read.
"""

import html as html_module
import re

SKIP = re.compile(r"<(head|script|style|svg|code)\b.*?</\1>", re.S | re.I)
BLOCKS = "p|div|li|td|th|tr|h[1-6]|figcaption|caption|table|ul|ol|br"
BLOCK = re.compile(rf"</?(?:{BLOCKS})\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]+>")

ADJACENT = re.compile(r"\)\s*\(")
COMPARISON = re.compile(r">=|<=|!=|=>|=<")
SIGN = re.compile(r"(?:^|(?<=[\s(\[;:,=/]))-\d")
HYPHEN_RANGE = re.compile(r"(?<![\w.\-/])\d+(?:\.\d+)?-\d")
ALLOWED_RANGES = ("CYFRA 21-1",)  # a name, not a range
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.[a-z])")
CODE = re.compile(
    r"\b(?:USUBJID|PARAMCD|AVAL|EVNT|CNSR|LFPT|SRCDOM|SRCVAR|SRCSEQ|[A-Z]{2,}(?:FL|DY|DT))\b"
)


def visible_blocks(html: str) -> list[str]:
    """The visible text of the document, one string per block (paragraph, cell, caption)."""
    text = SKIP.sub(" ", html)
    blocks = BLOCK.split(text)
    out = []
    for block in blocks:
        plain = " ".join(html_module.unescape(TAG.sub(" ", block)).split())
        if plain:
            out.append(plain)
    return out


def _nested(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
            if depth > 1:
                return True
        elif char == ")":
            depth = max(depth - 1, 0)
    return False


def problems(html: str) -> list[str]:
    """Every typographic problem of the visible text, as 'what: context'."""
    found = []
    for block in visible_blocks(html):
        context = block if len(block) <= 120 else block[:117] + "..."
        if _nested(block):
            found.append(f"nested brackets: {context}")
        for name, pattern in (
            ("adjacent brackets", ADJACENT),
            ("ASCII comparison", COMPARISON),
            ("hyphen as minus", SIGN),
        ):
            for match in pattern.finditer(block):
                found.append(f"{name} {match[0]!r}: {context}")
        unranged = block
        for allowed in ALLOWED_RANGES:
            unranged = unranged.replace(allowed, "")
        for match in HYPHEN_RANGE.finditer(unranged):
            found.append(f"hyphen as range dash {match[0]!r}: {context}")
        for pattern in (SNAKE, CODE):
            for match in pattern.finditer(block):
                found.append(f"code name {match[0]!r}: {context}")
    return found
