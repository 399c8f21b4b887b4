"""Guards against typed results: every number in the paper's prose must come from the results.

Two checks. `typed_numbers` reads a `.qmd` source and returns the numbers written outside
shortcodes, cross references, citations and attributes: only the method constants in
`METHOD_CONSTANTS` may be typed. `untraced_numbers` reads the rendered HTML and returns the
numbers of the prose (tables, figures, citations, cross-reference labels and the reference list
set aside) that appear nowhere in `_variables.yml`.
"""

import html
import re

import yaml

# Constants of the methods, not results: alpha/beta of 10 Gy, EQD2 = BED10 / 1.2, the
# confidence level of 95% (the decision level follows alpha and is never typed), the CTCAE
# grades the plan names (grade 3 or higher, grade 5), the year in the name of the CONSORT 2025
# statement and the version of the analysis plan (1.1).
METHOD_CONSTANTS = frozenset({"10", "1.2", "95", "3", "5", "2025", "1.1"})
NUMBER = re.compile(r"(?<![\w.\-])-?\d+(?:\.\d+)?(?!\.?\w)")

_SOURCE_SKIP = [
    re.compile(r"\A---\n.*?\n---\n", re.S),  # front matter
    re.compile(r"\{\{<.*?>\}\}", re.S),  # shortcodes
    re.compile(r"\{[#.][^}]*\}"),  # attributes and div ids
    re.compile(r"\[-?@[^\]]*\]|-?@[\w-]+"),  # citations and cross references
    re.compile(r"\]\([^)]*\)"),  # link and image targets
]
_HTML_SKIP = [
    re.compile(r"<(script|style|table|figure|head)\b.*?</\1>", re.S),
    re.compile(r'<div id="refs".*', re.S),
    re.compile(r'<span class="citation".*?</span>', re.S),
    re.compile(r'<a href="#(?:fig|tbl)-[^"]*">.*?</a>', re.S),
]


def typed_numbers(source: str) -> list[str]:
    """Numbers typed in a .qmd source, other than the method constants."""
    for pattern in _SOURCE_SKIP:
        source = pattern.sub(" ", source)
    return [n for n in NUMBER.findall(source) if n.lstrip("-") not in METHOD_CONSTANTS]


def untraced_numbers(rendered: str, variables: str) -> list[str]:
    """Numbers of the rendered prose found neither in the variables nor among the constants."""
    for pattern in _HTML_SKIP:
        rendered = pattern.sub(" ", rendered)
    text = html.unescape(re.sub(r"<[^>]+>", " ", rendered)).replace("\u2212", "-")
    known = set(METHOD_CONSTANTS)
    for value in _leaves(yaml.safe_load(variables)):
        known.update(n.lstrip("-") for n in NUMBER.findall(str(value).replace("\u2212", "-")))
        known.update(re.findall(r"\d+(?:\.\d+)?", str(value)))
    return [n for n in NUMBER.findall(text) if n.lstrip("-") not in known]


def _leaves(tree: object):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from _leaves(value)
    else:
        yield tree
