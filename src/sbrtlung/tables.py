"""How tables and result files are written: one module for every CSV, Markdown and JSON file.

A `Table` is what a table rule writes: `frame`, the machine-readable rows (one row per
statistic, numbers in their own columns), and `markdown`, the same numbers as the paper
prints them. Markdown tables are pipe tables that Quarto and pandoc both read; a table wider
than a text line gets relative column widths from its content, so it wraps inside the page
instead of running off it or overprinting. CSV files have Unix line ends and JSON files sorted
keys, so the same results give the same bytes.
"""

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sbrtlung.formatter import missing

LINE = 72  # pandoc's default --columns: a wider pipe table gets relative column widths
BUDGET = 110  # characters of table text across the page (8.5 pt type on an A4 text width)
SHORT = 24  # a column whose cells are at most this long is given its full width
PAD = 4  # a cell's inset, in characters
LONG_FLOOR = 28  # a text column keeps at least this width (or its longest cell) when squeezed
CODE = re.compile(r"`([^`]*)`")
MONO = 0.3  # a code character is this much wider than an average character of the text font


@dataclass(frozen=True)
class Table:
    """A table as the pipeline writes it: `frame` to CSV, `markdown` for the manuscript."""

    frame: pd.DataFrame
    markdown: str


def _cell(value: object) -> str:
    text = "" if missing(value) else value
    return str(text).replace("|", "\\|").replace("\n", " ")


def _length(text: str) -> int:
    """The width of a cell's text in average characters of the text font: code (`name`) is
    set in a monospace font, whose characters are wider, and a code name never breaks."""
    return len(text) + math.ceil(MONO * sum(len(code) for code in CODE.findall(text)))


def _widths(columns: list[str], body: list[list[str]]) -> list[int]:
    """Relative column widths in characters. Each column needs its longest cell and its
    longest word, plus the cell's inset (`PAD`). When all of that fits the page, the columns
    get it (and the page's slack in proportion); when not, a short column (numbers, codes)
    keeps its full width so that no number breaks, and the long text columns share the rest
    in proportion to their longest cell, never narrower than their longest word nor than
    `LONG_FLOOR` (the table then takes the page and every column gives a little)."""
    longest, words = [], []
    for i, header in enumerate(columns):
        cells = [row[i] for row in body]
        longest.append(max([_length(c) for c in cells] + [1]) + PAD)
        tokens = " ".join([header, *cells]).split()
        words.append(max([_length(t) for t in tokens] + [1]) + PAD)
    natural = [max(n, w) for n, w in zip(longest, words, strict=True)]
    if sum(natural) <= BUDGET:
        return natural
    short = [n <= SHORT + PAD for n in longest]
    fixed = sum(w for w, s in zip(natural, short, strict=True) if s)
    rest = max(BUDGET - fixed, sum(w for w, s in zip(words, short, strict=True) if not s))
    total_long = sum(n for n, s in zip(longest, short, strict=True) if not s) or 1
    return [
        w if s else max(word, min(n, LONG_FLOOR), round(rest * n / total_long))
        for n, w, word, s in zip(longest, natural, words, short, strict=True)
    ]


def markdown_table(
    frame: pd.DataFrame,
    align: str | None = None,
    caption: str = "",
    label: str = "",
    fit: bool = True,
) -> str:
    """A pipe table; `align` holds one of 'l', 'r', 'c' per column (default: first left).

    When a row is longer than a text line, the dashes of the separator line are set to each
    column's width (`_widths`), which pandoc turns into relative column widths (unless
    `fit` is false: documentation read as plain text). A `caption` follows the table, with
    its cross-reference `label` (`tbl-...`) when given, which numbers it in the document.
    """
    columns = [_cell(c) for c in frame.columns]
    align = align or "l" + "r" * (len(columns) - 1)
    if len(align) != len(columns):
        raise ValueError(f"align {align!r} does not have one letter per column {columns}")
    body = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(row) + " |" for row in [columns, *body]]
    wide = fit and max(len(line) for line in lines) > LINE
    widths = _widths(columns, body) if wide else [3] * len(columns)
    rule = []
    for a, width in zip(align, widths, strict=True):
        dashes = "-" * max(width - 1, 2)
        rule.append({"l": ":" + dashes, "r": dashes + ":", "c": ":" + dashes[1:] + ":"}[a])
    lines.insert(1, "| " + " | ".join(rule) + " |")
    text = "\n".join(lines) + "\n"
    if label and not caption:
        raise ValueError(f"table {label} needs a caption to carry its label")
    return text + (
        f"\nTable: {caption}" + (f" {{#{label}}}" if label else "") + "\n" if caption else ""
    )


def first_only(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The frame with a repeated value of `column` blanked after its first row, as a printed
    table groups its rows (the CSV keeps every value)."""
    repeated = frame[column].eq(frame[column].shift())
    return frame.assign(**{column: frame[column].where(~repeated, "")})


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """A data frame as CSV: no index, Unix line ends, UTF-8."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_markdown(text: str, path: str | Path) -> None:
    Path(path).write_text(text, encoding="utf-8")


def write_table(
    table: Table, csv: str | Path | None = None, markdown: str | Path | None = None
) -> None:
    """The I/O of every table rule: the frame as CSV, the Markdown as UTF-8."""
    if csv is not None:
        write_csv(table.frame, csv)
    if markdown is not None:
        write_markdown(table.markdown, markdown)


def _clean(value: Any) -> Any:
    """Plain JSON types; NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_json(data: dict, path: str | Path) -> None:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    text = json.dumps(_clean(data), sort_keys=True, indent=2, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read_csvs(paths: Iterable[str | Path]) -> pd.DataFrame:
    """CSV files of the same columns as one frame, file after file (a gather rule's input)."""
    return pd.concat([pd.read_csv(path) for path in paths], ignore_index=True)


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))
