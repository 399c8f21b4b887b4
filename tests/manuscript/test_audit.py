"""The audit page's pieces: what the documents print, where a value was read from, a rate's
declaration, the HTML links, and DOCX and PDF untouched by them (demo project)."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from sbrtlung import config
from sbrtlung.manuscript import audit, audit_links, render, variables
from tests.manuscript.test_render import DEMO


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("audit") / "demo"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("_output", "_variables.yml"))
    variables.write(folder / "key_results.json", config.load(), folder / "_variables.yml", folder)
    render.render(folder, engine="pandoc")
    return folder


def demo_variables(folder: Path) -> dict:
    return yaml.safe_load((folder / "_variables.yml").read_text(encoding="utf-8"))


def test_quoted_keys_are_every_var_of_a_document_and_its_includes_in_order(demo):
    keys = audit.quoted_keys(demo, demo_variables(demo))["index"]
    assert keys[:4] == ["n_enrolled", "n_safety", "lcr_2y.estimate", "lcr_2y.ci95"]
    assert "config.bootstrap_reps" in keys and "lcr_2y_pp.n" in keys  # from the include
    assert len(keys) == len(set(keys))


def test_float_files_are_the_images_and_table_files_each_float_shows(demo):
    floats = audit.float_files(demo)["index"]
    figure = str(demo / "figures" / "local_control.png")
    assert floats["fig-local-control"] == [figure]
    assert floats["fig-half-width"] == [figure]  # relative to the included file
    assert floats["tbl-rates"] == [str(demo / "tables" / "rates.md")]
    assert floats["tbl-toxicity"] == []  # typed in the document: its numbers are vars
    assert floats["tbl-sets"] == [str(demo / "sections" / "details.md")]  # its caption's file


def test_values_of_a_text_are_its_point_and_interval_and_of_a_limit_the_limit():
    tree = {
        "lcr_2y": {"kind": "proportion", "estimate": 0.91, "ci95": [0.85, 0.95], "n": 120},
        "primary_null": {"kind": "setting", "value": 0.8},
        "n_enrolled": 66,
    }
    assert audit.values_of(tree, "lcr_2y.text") == (
        [("estimate", 0.91), ("ci95", [0.85, 0.95])],
        "proportion",
    )
    assert audit.values_of(tree, "lcr_2y.ci95_upper") == ([("ci95_upper", 0.95)], "proportion")
    assert audit.values_of(tree, "lcr_2y.n") == ([("n", 120)], "proportion")
    assert audit.values_of(tree, "primary_null") == ([("primary_null", 0.8)], "setting")
    assert audit.values_of(tree, "n_enrolled") == ([("n_enrolled", 66)], "count")


def test_a_value_is_found_in_the_row_or_file_of_the_inputs_that_holds_it(tmp_path):
    (tmp_path / "rates.csv").write_text(
        "key,paramcd,population,time,n_units,n_patients,n_events_by_time,estimate,lower95,upper95\n"
        "os,OS,SAF,2y,66,66,9,0.8512345678,0.74,0.92\n"
        "lcr,LF,SAF,1y,120,66,7,0.9312345678901,0.8812,0.9634\n"
        "lcr,LF,SAF,2y,120,66,7,0.9312345678901,0.8812,0.9634\n"  # no event after 1 year
    )
    (tmp_path / "safety.json").write_text('{"n_grade5": 1, "flow": {"enrolled": 66}}')
    sources = audit.Sources(("rates.csv", "safety.json"), tmp_path)
    entry = {"kind": "proportion", "estimate": 0.9312345678901, "ci95": [0.8812, 0.9634], "n": 120}
    path, row = sources.locate(entry, "lcr_2y")
    assert path == "rates.csv" and (row["key"], row["time"]) == ("lcr", "2y")
    assert sources.locate(1, "n_grade5") == ("safety.json", None)
    assert sources.locate({"enrolled": 66}, "flow") == ("safety.json", None)
    assert sources.locate(40, "n_enrolled") == (None, None)  # computed, held by no input
    details = dict(audit.rate_details(row))
    assert details["analysis dataset"] == "ADTTE"
    assert details["parameter"].startswith("PARAMCD LF ")
    assert details["population flag"] == "SAFFL (SAF set)"
    assert details["units"] == "120 nodules of 66 patients"
    assert details["events counted"] == "local failure (first failure scan): 7 by 2y"


def test_every_var_of_the_html_links_to_its_entry_and_every_caption_has_a_marker(demo):
    html = (demo / "_output" / "index.html").read_text(encoding="utf-8")
    expanded: list[str] = []
    audit.shortcodes.expand(
        demo / "index.qmd", demo, demo_variables(demo), lambda k, v: expanded.append(k) or v
    )
    links = re.findall(r'<a href="audit\.html#([^"]+)" class="audit">', html)
    assert links == expanded
    floats = re.findall(r'<a href="audit\.html#(index-(?:fig|tbl)-[\w-]+)"', html)
    assert sorted(floats) == sorted(f"index-{label}" for label in audit.float_files(demo)["index"])


def test_the_links_leave_the_docx_and_pdf_byte_identical(demo, tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    shutil.copytree(demo, plain, ignore=shutil.ignore_patterns("_output"))
    monkeypatch.setattr(audit_links, "mark", lambda key, printed: printed)
    render.render(plain, engine="pandoc")
    for name in ("index.docx", "index.pdf"):
        assert (plain / "_output" / name).read_bytes() == (demo / "_output" / name).read_bytes()
    html = (plain / "_output" / "index.html").read_text(encoding="utf-8")
    assert 'class="audit"' not in html


def test_mark_escapes_brackets_of_the_printed_text():
    assert audit_links.mark("a.b", "x [1]") == r"[x \[1\]](audit.html#a.b){.audit}"


def test_the_page_and_csv_give_each_entry_its_job_chain_hashes_and_staleness():
    from sbrtlung.manuscript.records import Job

    def job(path, rule, inputs, stale=()):
        return Job(
            path,
            rule,
            inputs,
            (f"logs/{rule}.log",),
            f"benchmarks/{rule}.tsv",
            (("seed", "1"),),
            f"rules/{rule}.smk",
            1,
            f"scripts/{rule}.py",
            True,
            stale,
        )

    chain = [
        job("results/key_results.json", "key_results", ("results/rates.csv",)),
        job("results/rates.csv", "efficacy", ("/data/labs.csv",), ("older than its input x",)),
    ]
    entry = audit.Entry(
        anchor="lcr_2y.text",
        key="lcr_2y.text",
        document="index",
        text="92.4% (95% CI 85.8–96.0)",
        kind="proportion",
        values=[("estimate", 0.924)],
        file="results/key_results.json",
        sources=["results/rates.csv"],
        chain=chain,
        raw=["/data/labs.csv"],
    )
    hashes = {"/data/labs.csv": "ab" * 32}
    page = audit.page([entry], hashes, {"commit": "0123456789abcdef", "dirty": False}, "../../")
    section = page[page.index('id="lcr_2y.text"') :]
    assert '<a href="../../scripts/efficacy.py">' in section and "0123456789ab" in section
    assert '<a href="file:///data/labs.csv">' in section and "ab" * 32 in section
    assert "1 entry is stale" in page and "older than its input x" in section
    assert "<script" not in page and "http" not in page  # self-contained, no server
    rows = audit.csv_text([entry], hashes).splitlines()
    assert rows[0].split(",")[:7] == ["key", "text", "value", "kind", "file", "rule", "script"]
    assert rows[1].startswith("lcr_2y.text,92.4% (95% CI 85.8–96.0),estimate=0.924,proportion,")
    assert "efficacy,scripts/efficacy.py,/data/labs.csv=" + "ab" * 32 in rows[1]
    assert rows[1].endswith("results/rates.csv: older than its input x")
