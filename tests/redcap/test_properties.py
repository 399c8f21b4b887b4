"""Property-based tests of the REDCap split and the data dictionary check: whatever the bytes
of a delivery, they split it or refuse it with a RedcapError naming the file, and nothing else
escapes.

Bounded like the gate's (200 examples, no deadline, derandomized): arbitrary text as a records
export, arbitrary CSV shapes under the eCRF's header, the valid records export and data
dictionary mutated at the byte level, and arbitrary bytes as a data dictionary.
"""

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbrtlung.redcap import metadata, records
from sbrtlung.redcap.ecrf import RedcapError
from tests.validation.factory import clean_rows, write_folder

BOUNDED = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written to the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CELLS = st.text(st.characters(codec="utf-8"), max_size=10) | st.sampled_from(
    ["", "SCR-001", "lesions", "1", "\u00b2", "0", "=1+1", "2", "labs", "Complete", "female"]
)
WHAT = "records export delivery/records.csv"


def _clean_records() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        raw = write_folder(clean_rows(), Path(scratch) / "raw")
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(records.export(records.read_exports(raw)))
        return out.getvalue()


CLEAN = _clean_records()
DICTIONARY = metadata.render()


def _split_or_refuse(text: str) -> None:
    try:
        tables, row_map = records.split(text, WHAT)
    except RedcapError as error:
        assert str(error).startswith(WHAT)
        return
    assert sum(len(rows) for rows in tables.values()) == len(row_map)


@BOUNDED
@given(text=st.text(max_size=300))
def test_arbitrary_text(text):
    _split_or_refuse(text)


@st.composite
def shapes(draw) -> str:
    header = records.header()
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    lines = draw(
        st.lists(
            st.lists(CELLS, min_size=len(header), max_size=len(header))
            | st.lists(CELLS, max_size=4),
            max_size=5,
        )
    )
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
        [header, *lines]
    )
    return out.getvalue()


@BOUNDED
@given(text=shapes())
def test_arbitrary_csv_shapes(text):
    _split_or_refuse(text)


def _mutate(draw, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    piece = draw(
        st.text(min_size=1, max_size=6)
        | st.sampled_from(["\n", '"', ",", "\x00", "\u00b2", "\ufeff", ";", "=", "lesions"])
    )
    kind = draw(st.sampled_from(["cut", "insert", "replace", "delete"]))
    if kind == "cut":
        return text[:at]
    if kind == "insert":
        return text[:at] + piece + text[at:]
    if kind == "replace":
        return text[:at] + piece + text[at + len(piece) :]
    return text[:at] + text[at + draw(st.integers(1, 60)) :]


@BOUNDED
@given(data=st.data())
def test_mutated_valid_records_export(data):
    _split_or_refuse(_mutate(data.draw, CLEAN))


def _check_or_refuse(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "dictionary.csv"
        path.write_bytes(content)
        try:
            notes = metadata.check(path)
        except RedcapError as error:
            assert str(error).startswith(f"data dictionary {path}")
            return
    assert all(note.severity == "WARN" and note.file == "dictionary.csv" for note in notes)


@BOUNDED
@given(data=st.data())
def test_mutated_data_dictionary(data):
    _check_or_refuse(_mutate(data.draw, DICTIONARY).encode("utf-8", "surrogatepass"))


@BOUNDED
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_as_data_dictionary(content):
    _check_or_refuse(content)
