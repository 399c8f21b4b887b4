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
