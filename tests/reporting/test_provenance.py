"""Provenance: hashes, row counts, config hash and git state are what they claim to be."""

import hashlib
import subprocess

import pytest

from sbrtlung.reporting.provenance import config_hash, data_rows, git_state, record


def test_record_of_files_and_config(tmp_path):
    export = tmp_path / "patients.csv"
    export.write_bytes(b"a,b\n1,2\n3,4\n")
    out = record([export], {"seed": 1, "b": {"x": 2}}, {"commit": None, "dirty": None})
    entry = out["inputs"]["patients.csv"]
    assert entry == {
        "sha256": hashlib.sha256(b"a,b\n1,2\n3,4\n").hexdigest(),
        "rows": 2,
        "bytes": 12,
    }
    assert out["config_sha256"] == config_hash({"b": {"x": 2}, "seed": 1})  # key order irrelevant
    assert config_hash({"seed": 2}) != config_hash({"seed": 1})
    assert set(out["packages"]) >= {"pandas", "lifelines", "scikit-survival", "snakemake"}


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\r1,2\r3,4\r",  # carriage returns only (old Mac exports)
        b"a,b\r\n1,2\r\n3,4",  # CRLF, no line end after the last row
        b'a,b\n1,"two\nlines"\n3,4\n',  # a quoted line break is one row
    ],
)
def test_rows_are_counted_as_a_csv_parser_reads_them(tmp_path, data):
    export = tmp_path / "labs.csv"
    export.write_bytes(data)
    assert data_rows(export) == 2


def test_git_state(tmp_path):
    assert git_state(tmp_path) == {"commit": None, "dirty": None}

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f.txt").write_text("1")
    git("add", "f.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    state = git_state(tmp_path)
    assert len(state["commit"]) == 40 and state["dirty"] is False
    (tmp_path / "f.txt").write_text("2")
    assert git_state(tmp_path)["dirty"] is True
