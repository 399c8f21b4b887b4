"""The manuscript build: `_variables.yml` formatting, the pandoc + typst fallback end to end on
the demo project (tests/data/manuscript_demo), its errors, byte-reproducibility, and the choice
of Quarto when a `quarto` executable is on PATH."""

import filecmp
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from sbrtlung import config
from sbrtlung.formatter import p_value
from sbrtlung.manuscript import render, shortcodes, variables

DEMO = Path(__file__).parents[1] / "data" / "manuscript_demo"
NBSP = "\u00a0"


def unlinked(html: str) -> str:
    """The HTML without the links to the audit page (numbers and caption markers)."""
    html = re.sub(r' <a href="audit\.html#[^"]*" class="audit-float"[^>]*>audit</a>', "", html)
    return re.sub(r'<a href="audit\.html#[^"]*" class="audit">(.*?)</a>', r"\1", html)


def demo_copy(target: Path) -> Path:
    """The demo project with its `_variables.yml` built from its key_results.json."""
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("_output", "_variables.yml"))
    variables.write(target / "key_results.json", config.load(), target / "_variables.yml")
    return target


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    folder = demo_copy(tmp_path_factory.mktemp("render") / "demo")
    render.render(folder, engine="pandoc", keep_typst=True)
    return folder / "_output"


# --- _variables.yml -------------------------------------------------------------------------


def test_variables_format_every_kind_of_number():
    """Each entry prints by the kind it declares; ranges with an en dash, negative numbers
    with the minus sign, and a text for use inside brackets that nests none."""
    results = {
        "lcr_2y": {
            "kind": "proportion",
            "estimate": 0.95535,
            "ci95": [0.92086, 0.98620],
            "ci90": [0.9271, 0.9806],
            "ci_decision": [0.9271, 0.9806],
            "decision_level": 0.9,
            "n": 171,
        },
        "median_os_months": {"kind": "months", "estimate": None, "ci95": [35.745, None]},
        "median_pfs_months": {"kind": "months", "estimate": 27.99, "ci95": [22.6, 34.5]},
        "marker_cox": {
            "OS": {
                "nlr_baseline": {
                    "kind": "hazard_ratio",
                    "hr": 0.5264,
                    "ci95": [0.3345, 0.8284],
                    "p": 0.00031,
                    "q": 0.0437,
                    "n": 97,
                }
            }
        },
        "models": {
            "OS": {
                "clinical": {
                    "harrell_c": {
                        "kind": "c_statistic",
                        "mean": 0.50814,
                        "range_cv": [0.4431, 0.5712],
                    }
                }
            }
        },
        "gain": {"harrell_c": {"kind": "cv_gain", "mean": 0.064, "range_cv": [-0.0341, 0.1232]}},
        "n_enrolled": 100,
        "primary_success": False,
        "primary_null": {"kind": "setting", "value": 0.8},
        "sample_size": {
            "power": {"kind": "setting", "value": 0.8},
            "icc": {"kind": "number", "value": 0.1},
            "z_alpha": {"kind": "number", "value": 1.6448536},
            "patients": 66,
        },
    }
    out = variables.build(results, config.load())
    lcr = out["lcr_2y"]
    assert (lcr["estimate"], lcr["ci95"], lcr["ci95_lower"]) == ("95.5%", "92.1–98.6", "92.1%")
    assert lcr["ci90_upper"] == "98.1%" and lcr["n"] == "171"
    assert (lcr["ci_decision"], lcr["decision_level"]) == ("92.7–98.1", "90%")
    assert lcr["text"] == "95.5% (95% CI 92.1–98.6)"
    assert lcr["text_nested"] == "95.5%, 95% CI 92.1–98.6"
    assert out["median_os_months"]["text"] == "not reached (95% CI 35.7–NE)"
    assert out["median_pfs_months"]["estimate"] == "28.0"
    assert out["median_pfs_months"]["text"] == "28.0 months (95% CI 22.6–34.5)"
    nlr = out["marker_cox"]["OS"]["nlr_baseline"]
    assert (nlr["hr"], nlr["ci95"], nlr["ci95_lower"]) == ("0.53", "0.33–0.83", "0.33")
    assert (nlr["p"], nlr["q"], nlr["n"]) == ("<0.001", "0.044", "97")
    assert nlr["text"] == "HR 0.53 (95% CI 0.33–0.83)"
    assert nlr["text_nested"] == "HR 0.53, 95% CI 0.33–0.83"
    c = out["models"]["OS"]["clinical"]["harrell_c"]
    assert (c["mean"], c["range_cv"], c["range_cv_lower"]) == ("0.508", "0.443–0.571", "0.443")
    assert c["text"] == "0.508 (0.443–0.571)"  # a spread over repeats, not labelled a CI
    gain = out["gain"]["harrell_c"]
    assert (gain["mean"], gain["range_cv"]) == ("+0.064", "−0.034\u00a0to\u00a00.123")
    assert gain["text"] == "+0.064 (−0.034\u00a0to\u00a00.123)"
    assert (out["n_enrolled"], out["primary_success"], out["primary_null"]) == ("100", "no", "80%")
    assert out["sample_size"] == {
        "power": "80%",
        "icc": "0.1",
        "z_alpha": "1.645",
        "patients": "66",
    }
    quoted = out["config"]
    assert (quoted["bootstrap_reps"], quoted["seed"]) == ("2000", "20240601")
    assert (quoted["horizon_days"], quoted["horizon_months"], quoted["horizon_years"]) == (
        "730.5",
        "24.0",
        "2",
    )
    assert (quoted["month_days"], quoted["landmark_days"]) == ("30.4375", "61")
    assert quoted["hypothesis"]["alpha_one_sided"] == "0.05"
    assert quoted["hypothesis"]["lcr_null"] == "80%"
    assert quoted["lab_windows"]["baseline"] == "−28\u00a0to\u00a00"
    assert "raw_dir" not in quoted and "simulation" not in quoted and "study" not in quoted
    assert out["raw"]["lcr_2y"]["ci95_lower"] == 0.92086
    assert out["raw"]["median_os_months"]["estimate"] is None
    assert out["raw"]["primary_null"] == 0.8 and "kind" not in out["raw"]["lcr_2y"]


@pytest.mark.parametrize(
    "untyped",
    [
        {"primary_null": 0.8},
        {"block": {"ratio": 1.5}},
        {"entry": {"estimate": 0.5, "ci95": [0, 1]}},
    ],
)
def test_a_number_without_a_kind_is_refused_not_guessed(untyped):
    with pytest.raises(variables.VariablesError, match="no declared kind"):
        variables.build(untyped, config.load())


@pytest.mark.parametrize(
    ("value", "printed"), [(0.0004, "<0.001"), (0.0031, "0.003"), (0.25, "0.250"), (1.0, ">0.999")]
)
def test_p_values(value, printed):
    assert p_value(value) == printed


def test_default_config_is_a_full_build():
    built = variables.build_settings(config.load())
    assert not built["quick"] and built["title"] == "Full build"
    assert built["note"] == (
        "Replicates as the analysis plan sets them: 2000 bootstrap replicates; "
        "20 cross-validation repeats; 1000 simulated trials per scenario; "
        "2000 bootstrap replicates per simulated trial."
    )


def test_quick_config_is_a_quick_build_naming_every_reduced_setting():
    root = Path(__file__).resolve().parents[2]
    built = variables.build_settings(config.load(root / "config" / "quick.yaml"))
    assert built["quick"] and built["title"] == "Quick build"
    quick = yaml.safe_load((root / "config" / "quick.yaml").read_text())
    study = quick["simulation_study"]
    for reduced in (
        f"{quick['bootstrap_reps']} bootstrap replicates (plan: 2000)",
        f"{quick['cv_repeats']} cross-validation repeats (plan: 20)",
        f"{study['replicates']} simulated trials per scenario (plan: 1000)",
        f"{study['bootstrap_reps']} bootstrap replicates per simulated trial (plan: 2000)",
    ):
        assert reduced in built["note"]
    assert "quote none of its numbers" in built["note"]


def test_build_settings_follow_the_fallback_and_accept_more_than_the_plan():
    fewer = variables.build_settings(config.load(bootstrap_reps=500))
    assert fewer["quick"]  # also each simulated trial's, which falls back to it
    assert "500 bootstrap replicates per simulated trial (plan: 2000)" in fewer["note"]
    assert not variables.build_settings(config.load(bootstrap_reps=5000, cv_repeats=50))["quick"]
    built = variables.build(json.loads((DEMO / "key_results.json").read_text()), config.load())
    assert built["build"]["quick"] == "no" and built["build"]["title"] == "Full build"


def test_what_could_not_be_estimated_says_so():
    """A model or hazard ratio without events, an incidence of an empty set: the text is "not
    estimable", never "not reached" (a median's word) nor a CI of NAs."""
    missing = {"ci95": [None, None]}
    results = {
        "models": {
            "OS": {
                "clinical": {
                    "harrell_c": {
                        "kind": "c_statistic",
                        "mean": float("nan"),
                        "range_cv": [None, None],
                    }
                }
            }
        },
        "marker_cox": {
            "OS": {"nlr_baseline": {"kind": "hazard_ratio", "hr": None, "n": 0, **missing}}
        },
        "os_2y": {"kind": "proportion", "estimate": None, **missing},
        "median_os_months": {"kind": "months", "estimate": None, **missing},
    }
    out = variables.build(results, config.load())
    assert out["models"]["OS"]["clinical"]["harrell_c"]["text"] == "not estimable"
    assert out["models"]["OS"]["clinical"]["harrell_c"]["mean"] == "not estimable"
    assert out["marker_cox"]["OS"]["nlr_baseline"]["text"] == "not estimable"
    assert out["os_2y"]["text"] == "not estimable"
    assert out["os_2y"]["text_nested"] == "not estimable"
    assert out["median_os_months"]["text"] == "not reached (95% CI NE\u2013NE)"


def test_variables_yaml_prints_strings_exactly():
    results = json.loads((DEMO / "key_results.json").read_text())
    built = variables.build(results, config.load())
    text = variables.dump(built)
    assert yaml.safe_load(text) == built
    formatted = {k: v for k, v in built.items() if k != "raw"}
    leaves = re.findall(r"^\s*[\w-]+: (.+)$", variables.dump(formatted), re.MULTILINE)
    assert all(isinstance(yaml.safe_load(leaf), str) for leaf in leaves)
    assert "primary_success: 'yes'" in text


@pytest.mark.parametrize("bad", [{"a.b": 1}, {"ok": {"has space": 1}}])
def test_keys_quarto_cannot_address_are_refused(bad):
    with pytest.raises(variables.VariablesError, match="cannot be used"):
        variables.build(bad, config.load())


# --- fallback end to end ----------------------------------------------------------------------


def test_html_has_numbers_includes_numbering_references_and_citation(rendered):
    html = unlinked((rendered / "index.html").read_text(encoding="utf-8"))
    assert "Of 100 patients, 99 received at least one fraction" in html
    assert "was 95.5% (95% CI 92.1\u201398.6" in html
    assert "not reached (95% CI 35.7\u2013NE)" in html
    assert "B = 2000 replicates (seed 20240601)" in html  # from the included file
    assert "{{&lt; var lcr_2y.estimate &gt;}}" in html  # the escaped shortcode, literal
    assert "96.9% (93.9-99.3)" in html  # the table included from the included file
    captions = re.findall(r"<(?:caption|figcaption)><strong>([^<]+)</strong> ([^<]+)<", html)
    assert captions == [
        (f"Table{NBSP}1:", "Named rates at 1 and 2 years."),
        (f"Table{NBSP}2:", "Nodules by analysis set"),
        (f"Figure{NBSP}1:", "Cumulative local control, half width."),
        (f"Figure{NBSP}2:", "Cumulative local control of the treated nodules."),
        (f"Table{NBSP}3:", "Treatment-related adverse events by worst grade."),
    ]
    links = re.findall(r'<a href="#((?:fig|tbl)-[\w-]+)">([^<]+)</a>', html)
    assert links == [
        ("fig-local-control", f"Figure{NBSP}2"),
        ("tbl-rates", f"Table{NBSP}1"),
        ("fig-half-width", f"Figure{NBSP}1"),
        ("tbl-toxicity", f"Table{NBSP}3"),
        ("tbl-rates", "1"),
        ("tbl-sets", f"Table{NBSP}2"),
    ]
    assert 'id="tbl-rates"' in html and 'id="fig-half-width"' in html
    assert "(Timmerman et al. 2010)" in html and "Stereotactic Body Radiation Therapy" in html
    assert html.count('src="data:image/png;base64,') == 2  # self-contained, both figures
    assert "{{<" not in html.replace("{{&lt;", "") and "@fig-" not in html


def test_docx_has_the_same_text(rendered):
    with zipfile.ZipFile(rendered / "index.docx") as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    text = re.sub(r"<[^>]+>", "", xml)
    assert "Of 100 patients, 99 received at least one fraction" in text
    assert f"Figure{NBSP}2: Cumulative local control of the treated nodules." in text
    assert f"Table{NBSP}3: Treatment-related adverse events by worst grade." in text
    assert f"(95% CI 92.1\u201398.6; Figure{NBSP}2, Table{NBSP}1)" in text
    assert "(Timmerman et al. 2010)" in text
    assert '<w:hyperlink w:anchor="tbl-sets">' in xml


def pdf_text(pdf: Path) -> str | None:
    """The PDF's text with pypdf or pdftotext when either exists, else None."""
    try:
        from pypdf import PdfReader
    except ImportError:
        if not shutil.which("pdftotext"):
            return None
        done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        return done.stdout
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_pdf_is_typeset_with_numbered_captions(rendered):
    pdf = rendered / "index.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) >= 1
    text = pdf_text(pdf)
    if text is None:  # no PDF text extractor here: check what typst typeset instead
        source = (rendered / "index.typ").read_text(encoding="utf-8").replace("~", NBSP)
        assert f"#link(<tbl-sets>)[Table{NBSP}2]" in source
        assert re.search(r'image\("/[^"]+/figures/local_control\.png", width: 70\.0%\)', source)
        text = re.sub(r"#\w+(\(<[^>]*>\))?\[|\]", "", source)  # markup off, text kept
    flat = " ".join(text.split()).replace(NBSP, " ")
    for expected in (
        "Of 100 patients, 99 received",
        "Figure 2: Cumulative local control of the treated nodules.",
        "Figure 1: Cumulative local control, half width.",
        "Table 2: Nodules by analysis set",
        "95% CI 92.1\u201398.6; Figure 2, Table 1",
        "Timmerman",
    ):
        assert expected in flat


def test_same_inputs_give_the_same_bytes(rendered, tmp_path):
    """A second render, in another folder, writes byte-identical HTML, DOCX and PDF."""
    again = demo_copy(tmp_path / "elsewhere")
    render.render(again, engine="pandoc")
    names = ["index.html", "index.docx", "index.pdf"]
    _, mismatch, errors = filecmp.cmpfiles(rendered, again / "_output", names, shallow=False)
    assert not mismatch and not errors


def test_sources_list_every_file_the_document_reads(tmp_path):
    project = render.load_project(demo_copy(tmp_path / "demo"))
    names = {p.relative_to(project.directory).as_posix() for p in project.sources()}
    assert names == {
        "_quarto.yml",
        "demo.bib",
        "index.qmd",
        "sections/details.md",
        "tables/rates.md",
        "figures/local_control.png",
    }
    assert [p.name for p in project.outputs()] == ["index.html", "index.docx", "index.pdf"]


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{{< var n_safety >}}", "{{< var n_safty >}}", r"index\.qmd:9: \{\{< var n_safty >\}\}"),
        ("sections/details.md", "sections/missing.md", r"include sections/missing\.md.*no such"),
        ("@tbl-sets", "@tbl-nope", "unresolved cross reference.*@tbl-nope"),
        ("[@timmerman2010]", "[@nobody1999]", "citation nobody1999 not found"),
        ("{#tbl-toxicity}", "{#tbl-rates}", "label 'tbl-rates' is defined twice"),
        ("{{< var n_safety >}}", "{{< meta title >}}", "meta title.*not supported"),
    ],
)
def test_anything_unresolved_stops_the_render(tmp_path, old, new, message):
    folder = demo_copy(tmp_path / "demo")
    source = folder / "index.qmd"
    source.write_text(source.read_text().replace(old, new, 1))
    with pytest.raises(render.RenderError, match=re.compile(message, re.DOTALL)):
        render.render(folder, engine="pandoc")
    assert not (folder / "_output" / "index.pdf").exists()


def test_command_line_exits_non_zero_naming_the_variable(tmp_path):
    folder = demo_copy(tmp_path / "demo")
    (folder / "_variables.yml").write_text("n_enrolled: '100'\n")
    command = [sys.executable, "-m", "sbrtlung.manuscript.render", str(folder), "--engine=pandoc"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode != 0
    assert "{{< var lcr_2y.estimate >}}: no such value in _variables.yml" in done.stderr


def test_include_cycle_is_an_error(tmp_path):
    (tmp_path / "a.md").write_text("{{< include b.md >}}\n")
    (tmp_path / "b.md").write_text("{{< include a.md >}}\n")
    with pytest.raises(shortcodes.ShortcodeError, match=r"b\.md:1: .*include cycle"):
        shortcodes.expand(tmp_path / "a.md", tmp_path, {})


# --- engine selection --------------------------------------------------------------------------

FAKE_QUARTO = """#!/bin/sh
# Records its arguments and working directory, writes the outputs a render would.
echo "$(pwd -P) $*" > "{record}"
mkdir -p _output
for ext in html docx pdf; do echo '{body}' > "_output/index.$ext"; done
"""


def fake_quarto(tmp_path: Path, monkeypatch, body: str = "fake") -> Path:
    """A `quarto` first on PATH; returns the file where it records its arguments."""
    bin_dir, record = tmp_path / "bin", tmp_path / "quarto-args.txt"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(FAKE_QUARTO.format(record=record, body=body))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return record


def test_quarto_on_path_is_used(tmp_path, monkeypatch):
    folder = demo_copy(tmp_path / "demo")
    record = fake_quarto(tmp_path, monkeypatch)
    assert render.select_engine("auto") == "quarto"
    written = render.render(folder)
    assert record.read_text().split() == [str(folder.resolve()), "render", "."]
    assert [p.read_text() for p in written] == ["fake\n"] * 3


def test_what_quarto_leaves_unresolved_is_an_error(tmp_path, monkeypatch):
    folder = demo_copy(tmp_path / "demo")
    body = (
        "<p><strong>Why?</strong> ?var:lcr_2y.estmate, <strong>?@fig-nope</strong>, "
        '<span class="citation" data-cites="nobody1999">(<strong>nobody1999?</strong>)</span>'
    )
    fake_quarto(tmp_path, monkeypatch, body)
    with pytest.raises(render.RenderError) as error:
        render.render(folder)
    assert str(error.value).endswith("?@fig-nope, ?var:lcr_2y.estmate, nobody1999?")


def test_without_quarto_the_fallback_is_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert render.select_engine("auto") == "pandoc"
    assert render.select_engine("quarto") == "quarto"
    with pytest.raises(render.RenderError, match="engine must be"):
        render.select_engine("latex")


@pytest.mark.skipif(not shutil.which("quarto"), reason="no quarto executable on PATH")
def test_real_quarto_renders_the_demo(tmp_path):
    folder = demo_copy(tmp_path / "demo")
    written = render.render(folder, engine="quarto")
    html = unlinked((folder / "_output" / "index.html").read_text(encoding="utf-8"))
    assert "Of 100 patients, 99 received" in html and "Table" in html
    assert all(p.stat().st_size > 0 for p in written)


def test_the_paper_reads_nothing_outside_its_project_folder():
    """Quarto compiles the PDF with the project folder as typst's root: results/ files must be
    shown through manuscript/_results/ (rule manuscript_result), never as ../results/."""
    project = render.load_project(Path(__file__).parents[2] / "manuscript")
    outside = [
        p for p in project.sources() if not p.resolve().is_relative_to(project.directory.resolve())
    ]
    assert not outside


# --- submission format: S numbering, cross-document names, A4 DOCX with line numbers --------


def test_reference_docx_is_a4_with_continuous_line_numbers_and_reproducible(tmp_path):
    from sbrtlung.manuscript import docx

    first = docx.reference_docx(tmp_path / "a.docx").read_bytes()
    assert docx.reference_docx(tmp_path / "b.docx").read_bytes() == first
    with zipfile.ZipFile(tmp_path / "a.docx") as archive:
        xml = archive.read("word/document.xml").decode()
        dates = {info.date_time for info in archive.infolist()}
    assert '<w:pgSz w:w="11906" w:h="16838" />' in xml
    assert '<w:lnNumType w:countBy="1" w:distance="284" w:restart="continuous" />' in xml
    assert dates == {docx.EPOCH}


def test_supplement_numbering_and_a4_docx_end_to_end(tmp_path):
    """A project whose document numbers its items S1, S2 and whose DOCX uses the generated
    reference document: captions and references read 'Table S1', the DOCX is A4 with line
    numbers, and the labels' names are what `_variables.yml` gives another document."""
    folder = demo_copy(tmp_path / "demo")
    project = yaml.safe_load((folder / "_quarto.yml").read_text())
    project["crossref-number-prefix"] = "S"
    project["format"]["docx"] = {"reference-doc": "_reference.docx"}
    (folder / "_quarto.yml").write_text(yaml.safe_dump(project))
    render.render(folder, engine="pandoc")
    html = unlinked((folder / "_output" / "index.html").read_text(encoding="utf-8"))
    assert f"<strong>Table{NBSP}S1:</strong> Named rates at 1 and 2 years." in html
    assert f'<a href="#tbl-sets">Table{NBSP}S2</a>' in html
    with zipfile.ZipFile(folder / "_output" / "index.docx") as archive:
        xml = archive.read("word/document.xml").decode()
    assert '<w:pgSz w:h="16838" w:w="11906" />' in xml  # A4, as pandoc writes it
    assert '<w:lnNumType w:countBy="1"' in xml and 'w:restart="continuous"' in xml
    labels = variables.cross_references(folder)["index"]
    assert labels["tbl-rates"] == f"Table{NBSP}S1" and labels["fig-half-width"] == f"Figure{NBSP}S1"
    assert labels["tbl-sets"] == f"Table{NBSP}S2" and labels["tbl-toxicity"] == f"Table{NBSP}S3"
