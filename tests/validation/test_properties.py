"""Property-based tests of the gate's reader: whatever the bytes of an export, the reader
returns findings that name the file, and never raises.

Three kinds of input, each bounded (200 examples, no per-example deadline, derandomized so CI
sees the same examples every run): arbitrary bytes, arbitrary CSV shapes (any cells, separator,
quoting and line end, under the contract's header or any other), and the hand-written valid
export mutated at the byte level (cut, spliced, a byte changed). A whole folder goes through
`validate_exports` with one export mutated, so every rule runs on what the reader let through.
"""

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.exports import parse_export
from sbrtlung.validation.gate import validate_exports

from .factory import clean_rows, gate_config, write_folder

BOUNDED = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written to the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STEMS = st.sampled_from(list(EXPORTS))
CELLS = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "NA", "=1+1", "-5", "2021-02-30", "1,5", "\u00b2", "S01-001", "L1", "yes", " x "]
)


def _clean_bytes() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_folder(clean_rows(), Path(scratch) / "raw")
        return {stem: (folder / f"{stem}.csv").read_bytes() for stem in EXPORTS}


CLEAN = _clean_bytes()


def _assert_named(stem: str, findings: list) -> None:
    for finding in findings:
        assert finding.file == f"{stem}.csv" and finding.row >= 0 and finding.rule


@BOUNDED
@given(stem=STEMS, data=st.binary(max_size=400))
def test_arbitrary_bytes(stem, data):
    table, findings = parse_export(stem, data)
    _assert_named(stem, findings)
    assert table is not None or findings


@st.composite
def csv_shapes(draw) -> bytes:
    stem = draw(STEMS)
    columns = list(EXPORTS[stem].to_schema().columns)
    header = draw(st.just(columns) | st.lists(CELLS, max_size=6))
    width = st.integers(0, len(header) + 2)
    rows = draw(
        st.lists(width.flatmap(lambda n: st.lists(CELLS, min_size=n, max_size=n)), max_size=6)
    )
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerows([header, *rows])
    bom = draw(st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]))
    return stem, (bom + out.getvalue()).encode("utf-8", "surrogatepass")


@BOUNDED
@given(shape=csv_shapes())
def test_arbitrary_csv_shapes(shape):
    stem, data = shape
    _, findings = parse_export(stem, data)
    _assert_named(stem, findings)


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    stem = draw(STEMS)
    data = CLEAN[stem]
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["cut", "insert", "replace", "delete"]))
    piece = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b"\n", b'"', b",", b"\x00"]))
    if kind == "cut":
        data = data[:at]
    elif kind == "insert":
        data = data[:at] + piece + data[at:]
    elif kind == "replace":
        data = data[:at] + piece + data[at + len(piece) :]
    else:
        data = data[:at] + data[at + draw(st.integers(1, 40)) :]
    return stem, data


@BOUNDED
@given(case=mutated())
def test_mutated_valid_export(case):
    stem, data = case
    _, findings = parse_export(stem, data)
    _assert_named(stem, findings)


@settings(BOUNDED, max_examples=12)  # each example runs the whole gate (about 1 s)
@given(case=mutated())
def test_mutated_export_through_every_rule(case):
    """The whole gate on a folder with one export mutated: no exception, every finding on a
    file of the folder (or the REDCap-free run's own files)."""
    stem, data = case
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, content in CLEAN.items():
            (folder / f"{name}.csv").write_bytes(data if name == stem else content)
        _, findings = validate_exports(folder, gate_config(folder))
    assert set(findings["file"]) <= {f"{name}.csv" for name in EXPORTS}
