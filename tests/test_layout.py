"""The layout shows the pipeline: the tests mirror the library's packages, and the library's
modules import one another without a cycle (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "sbrtlung"
SCHEMAS = ROOT / "schemas"  # installed as sbrtlung.schemas
# Test folders of the workflow and the project rather than of one package.
WORKFLOW_TESTS = {"workflow", "slurm", "data"}
# Top-level tests of the project as a whole; the others test a top-level module each.
PROJECT_TESTS = {"test_environment.py", "test_layout.py"}


def packages() -> set[str]:
    """The subpackages of sbrtlung."""
    found = {p.parent.name for p in LIBRARY.glob("*/__init__.py")}
    return found | {"schemas"}


def modules() -> dict[str, Path]:
    """Every module of sbrtlung by dotted name."""
    found = {}
    for root, prefix in ((LIBRARY, "sbrtlung"), (SCHEMAS, "sbrtlung.schemas")):
        for path in root.rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            found[".".join((prefix, *parts))] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The sbrtlung modules one module imports (a package's __init__ counts for the package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            for alias in node.names:
                child = f"{module}.{alias.name}"
                found.add(child if child in known else module)
    return {module for module in found if module in known and module != name}


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph, or an empty list."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node, [node])):
            return found
    return []


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_every_package_has_its_test_folder():
    for package in packages():
        folder = ROOT / "tests" / package
        assert (folder / "__init__.py").is_file(), f"tests/{package}/ mirrors sbrtlung.{package}"
        assert list(folder.glob("test_*.py")), f"tests/{package}/ has no test module"


def test_every_test_folder_is_a_package_of_the_library_or_the_workflow():
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name[0] != "."}
    folders -= {"__pycache__"}
    assert folders - WORKFLOW_TESTS == packages()


def test_top_level_tests_are_those_of_top_level_modules():
    top = {p.stem.removeprefix("test_") for p in (ROOT / "tests").glob("test_*.py")}
    project = {name.removesuffix(".py").removeprefix("test_") for name in PROJECT_TESTS}
    assert top - project <= {p.stem for p in LIBRARY.glob("*.py")}


# The pipeline's order (docs/architecture.md): a module imports only modules of its own layer
# or of an earlier one. A module belongs to the layer of its longest prefix here.
LAYERS = (
    (
        "sbrtlung.schemas",
        "sbrtlung.config",
        "sbrtlung.logs",
        "sbrtlung.console",
        "sbrtlung.formatter",
        "sbrtlung.tables",
        "sbrtlung.study",
        # the shape of a finding and what a formula-like cell is, shared by the REDCap split
        "sbrtlung.validation.findings",
        "sbrtlung.validation.formulas",
    ),
    ("sbrtlung.synthetic", "sbrtlung.redcap"),
    # the REDCap command line's `check` runs the split, then the gate
    ("sbrtlung.validation", "sbrtlung.redcap.__main__"),
    ("sbrtlung.adam",),
    ("sbrtlung.analysis", "sbrtlung.monitoring.boundary", "sbrtlung.monitoring.toxicity"),
    ("sbrtlung.markers",),
    ("sbrtlung.models",),
    ("sbrtlung.figures",),
    ("sbrtlung.simulation_study",),
    ("sbrtlung.reporting",),
    ("sbrtlung.manuscript",),
    ("sbrtlung.share",),
    ("sbrtlung.monitoring",),
)


def layer(module: str) -> int:
    """The index in LAYERS of the module's longest matching prefix."""
    matches = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    if not matches:
        raise KeyError(f"{module} belongs to no layer of tests/test_layout.py")
    return max(matches)[1]


def test_no_module_imports_a_later_stage():
    graph = import_graph()
    layers = {name: layer(name) for name in graph if name != "sbrtlung"}  # each has one
    upward = {
        (name, target)
        for name, targets in graph.items()
        if name != "sbrtlung"
        for target in targets
        if layers[target] > layers[name]
    }
    assert upward == set()


def test_layers_place_modules_by_their_longest_prefix():
    assert layer("sbrtlung.tables") == 0 < layer("sbrtlung.reporting.key_results")
    assert layer("sbrtlung.synthetic.simulate") < layer("sbrtlung.validation.period")
    assert layer("sbrtlung.simulation_study.trials") > layer("sbrtlung.analysis.efficacy")
    assert layer("sbrtlung.simulation_study.figure") > layer("sbrtlung.figures.style")


def test_the_library_imports_without_a_cycle():
    graph = import_graph()
    assert len(graph) > 70
    assert graph["sbrtlung.adam.adtte"] >= {"sbrtlung.adam.endpoints"}
    assert cycle(graph) == []


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a"}}, ["a", "a"]),
    ],
)
def test_the_cycle_check_finds_a_cycle(graph, expected):
    assert cycle(graph) == expected


def test_the_gate_imports_no_part_of_the_simulator():
    """The gate learns the synthetic trial's dates from `sbrtlung.study`, the one owner of the
    study period's inputs, not from the simulator of a later layer's data."""
    graph = import_graph()
    gate = {name for name in graph if name.startswith("sbrtlung.validation")}
    assert not {t for name in gate for t in graph[name] if t.startswith("sbrtlung.synthetic")}
    assert "sbrtlung.study" in graph["sbrtlung.validation.period"]
