"""The plausibility limits: one declaration, used by the models, documented with sources."""

import re
from pathlib import Path

from sbrtlung.schemas import limits
from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.raw import EXPORTS

DOC = Path(__file__).parents[2] / "docs" / "data_contract.md"


def _ordered(bound: limits.Limits) -> bool:
    values = [bound.low, bound.usual_low, bound.usual_high, bound.high]
    known = [x for x in values if x is not None]
    return known == sorted(known)


def test_every_numeric_column_has_limits_and_its_model_uses_them():
    numeric = {
        (stem, name)
        for stem, model in EXPORTS.items()
        for name, column in model.to_schema().columns.items()
        if str(column.dtype) in ("Int64", "float64")
    }
    assert numeric == set(limits.FIELDS)
    for (stem, name), bound in limits.FIELDS.items():
        assert _ordered(bound), (stem, name)
        checks = EXPORTS[stem].to_schema().columns[name].checks
        bounds = {c.name: next(iter(c.statistics.values())) for c in checks}
        expected = {"greater_than_or_equal_to": bound.low, "less_than_or_equal_to": bound.high}
        assert bounds == {k: x for k, x in expected.items() if x is not None}, (stem, name)


def test_every_analyte_has_limits_in_order():
    assert tuple(limits.LABS) == v.ANALYTES
    assert all(_ordered(bound) for bound in limits.LABS.values())
    assert all(bound.low is not None and bound.high is not None for bound in limits.LABS.values())


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def test_the_contract_documents_every_lab_limit_with_its_source():
    """The lab table of docs/data_contract.md says what limits.LABS says, with sources."""
    rows = {
        m["analyte"]: m
        for m in re.finditer(
            r"^\| `(?P<analyte>\w+)` \| (?P<unit>[^|]+) \| (?P<possible>[^|]+) \| "
            r"(?P<usual>[^|]+) \| (?P<sources>[^|]+) \|$",
            DOC.read_text(encoding="utf-8"),
            re.M,
        )
    }
    assert set(rows) == set(v.ANALYTES)
    for analyte, bound in limits.LABS.items():
        row = rows[analyte]
        assert row["unit"].strip() == v.CANONICAL_UNITS[analyte]
        assert _numbers(row["possible"]) == [bound.low, bound.high]
        usual = [x for x in (bound.usual_low, bound.usual_high) if x is not None]
        assert _numbers(row["usual"]) == usual, analyte
        assert "possible:" in row["sources"] and "usual:" in row["sources"]
