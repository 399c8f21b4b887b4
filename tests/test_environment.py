"""The three places that name dependencies agree: pyproject, the conda env, the lock file."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)==([^\s;]+)\s*", line)
        if match:
            found[match[1].lower().replace("_", "-")] = match[2]
    return found


def test_every_dependency_is_pinned_once_and_identically():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"]
    assert len(pins(declared)) == len(declared), "every runtime dependency is pinned with =="
    env = yaml.safe_load((ROOT / "envs" / "analysis.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip_section) == pins(declared)
    lock = pins((ROOT / "requirements.lock").read_text().splitlines())
    tests = project["optional-dependencies"]["test"]
    for name, version in pins(declared + tests).items():
        assert lock.get(name) == version, f"{name} differs between pyproject and the lock file"


def test_every_library_package_is_installed():
    """A non-editable install ships only the packages pyproject lists: list them all."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT / "src").parts)
        for p in (ROOT / "src" / "sbrtlung").rglob("__init__.py")
    }
    assert found | {"sbrtlung.schemas"} == listed


def test_citation_and_licence_agree_with_pyproject():
    """CITATION.cff (validated against the CFF 1.2.0 schema with cffconvert when it changes)
    states the version and licence that the package metadata declares."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert citation["authors"] and citation["title"] and citation["message"]


def test_supported_pythons_are_those_ci_tests():
    """requires-python, the classifiers and the GitHub workflow's matrix name the same versions."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    classified = {
        c.rsplit(" ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language")
    }
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "paper.yml").read_text())
    matrix = set(workflow["jobs"]["tests"]["strategy"]["matrix"]["python"])
    assert matrix == classified == {"3.11", "3.12", "3.13"}


def test_every_locked_package_has_its_licence_listed():
    """docs/licences.md lists each package of the lock at its locked version."""
    listed = {}
    for line in (ROOT / "docs" / "licences.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and cells[0] not in ("package", "---"):
            listed[cells[0].lower().replace("_", "-")] = cells[1]
            assert cells[2], f"{cells[0]}: no licence given"
    assert listed == pins((ROOT / "requirements.lock").read_text().splitlines())
