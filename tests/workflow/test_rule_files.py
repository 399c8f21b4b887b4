"""The workflow's rule files read as written: no rule states a directive twice.

Snakemake keeps only one of two `params:` (or `input:`, ...) blocks of a rule, silently, and
`snakemake --lint` does not flag it; a merge of two branches that both touched a rule can
leave such a pair behind.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(r"^rule (\w+):\n(.*?)(?=^\S|\Z)", re.S | re.M)
DIRECTIVE = re.compile(r"^    (\w+):", re.M)


def directives() -> dict[str, list[str]]:
    """Every rule of the Snakefile and rules/*.smk with its directives, in order."""
    found = {}
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        for name, body in RULE.findall(path.read_text(encoding="utf-8")):
            found[name] = DIRECTIVE.findall(body)
    return found


def test_no_rule_states_a_directive_twice():
    rules = directives()
    assert len(rules) > 40
    twice = {name: sorted({d for d in ds if ds.count(d) > 1}) for name, ds in rules.items()}
    assert not {name: ds for name, ds in twice.items() if ds}


def test_the_check_sees_a_doubled_directive():
    text = "rule a:\n    params:\n        x=1,\n    log:\n        'a.log',\n"
    text += "    params:\n        y=2,\n\n\nrule b:\n    output:\n        'b',\n"
    found = dict(RULE.findall(text))
    assert DIRECTIVE.findall(found["a"]) == ["params", "log", "params"]
    assert DIRECTIVE.findall(found["b"]) == ["output"]
