"""The workflow's rule files read as written: no rule states a directive twice, every rule
runs the script of its own name, and every script is thin: it reads the rule's inputs, makes
one call into the library, and writes what that returns.

Snakemake keeps only one of two `params:` (or `input:`, ...) blocks of a rule, silently, and
`snakemake --lint` does not flag it; a merge of two branches that both touched a rule can
leave such a pair behind. A rule whose script has another name sends a reader who found the
rule in a log to the wrong file.
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(r"^rule (\w+):\n(.*?)(?=^\S|\Z)", re.S | re.M)
DIRECTIVE = re.compile(r"^    (\w+):", re.M)
SCRIPT = re.compile(r"^    script:\n\s+\"\.\./scripts/(.+?)\"", re.M)


def rules() -> dict[str, str]:
    """Every rule of the Snakefile and rules/*.smk with its body."""
    found = {}
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        found.update(RULE.findall(path.read_text(encoding="utf-8")))
    return found


def directives() -> dict[str, list[str]]:
    """Every rule with its directives, in order."""
    return {name: DIRECTIVE.findall(body) for name, body in rules().items()}


def scripts() -> dict[str, str]:
    """Every rule that runs a script, with the script's file name."""
    found = {name: SCRIPT.findall(body) for name, body in rules().items()}
    return {name: files[0] for name, files in found.items() if files}


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


def test_every_rule_runs_the_script_of_its_own_name():
    run = scripts()
    assert len(run) > 40
    assert {name: file for name, file in run.items() if file != f"{name}.py"} == {}


def test_every_script_is_run_by_a_rule():
    on_disk = sorted(p.name for p in (ROOT / "scripts").glob("*.py"))
    assert on_disk == sorted(scripts().values())


def test_the_check_reads_a_rules_script():
    text = 'rule a:\n    output:\n        "x",\n    script:\n        "../scripts/b.py"\n'
    assert SCRIPT.findall(dict(RULE.findall(text))["a"]) == ["b.py"]


# Library functions that only read or write files, which a script may call besides its one,
# and `Horizon`, which reads the rule's horizon params into their owner (`sbrtlung.study`).
INPUT_OUTPUT = re.compile(r"^(read_|write_|save$|logged$|Horizon$)")


def library_calls(source: str) -> list[str]:
    """The library functions a script calls (by their name where it imports them), other than
    those that read or write files or log."""
    tree = ast.parse(source)
    imported = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "sbrtlung":
            imported |= {a.asname or a.name: _imported(node.module, a.name) for a in node.names}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name, owner = node.func, None
        if isinstance(name, ast.Attribute) and isinstance(name.value, ast.Name):
            owner, name = imported.get(name.value.id), name.attr
        elif isinstance(name, ast.Name):
            owner, name = None, name.id
        else:
            continue
        called = inspect.ismodule(owner) or (owner is None and name in imported)
        if called and not INPUT_OUTPUT.match(name):
            found.append(name)
    return found


def _imported(module: str, name: str) -> object:
    """What `from module import name` binds: an attribute, or a submodule."""
    found = getattr(importlib.import_module(module), name, None)
    return importlib.import_module(f"{module}.{name}") if found is None else found


@pytest.mark.parametrize("script", sorted((ROOT / "scripts").glob("*.py")), ids=lambda p: p.stem)
def test_every_script_makes_one_library_call(script):
    assert len(library_calls(script.read_text(encoding="utf-8"))) == 1


def test_the_check_counts_library_calls_but_not_reading_and_writing():
    source = (
        "import pandas as pd\n"
        "from sbrtlung.analysis import efficacy\n"
        "from sbrtlung.tables import read_json, write_json\n"
        "with logged(snakemake):\n"
        "    rates = efficacy.rates(pd.read_csv('a'), read_json('b'))\n"
        "    write_json(efficacy.primary_decision(rates, '2y', 0.8), 'c')\n"
    )
    assert library_calls(source) == ["rates", "primary_decision"]
