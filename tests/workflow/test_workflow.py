"""Snakemake end to end on a small synthetic trial: the default target, real-export mode,
REDCap mode, byte-identical reruns, a bad export that stops the run before any result is
written, a config the workflow refuses before it plans a job, deliveries without optional
data that still run through every rule, and a corrupt intermediate file named as such."""

import csv
import filecmp
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from sbrtlung import config
from sbrtlung.manuscript import audit, shortcodes
from sbrtlung.manuscript.numbers import untraced_numbers
from sbrtlung.manuscript.records import read_metadata
from sbrtlung.manuscript.render import load_project
from sbrtlung.manuscript.typography import problems
from sbrtlung.redcap.locate import COLUMNS
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.share.define import validate as validate_define
from sbrtlung.study import synthetic_dates
from sbrtlung.validation.formulas import formula_like
from tests.manuscript.test_render import unlinked
from tests.share.test_share import assert_shared_as_documented
from tests.workflow.runs import snakemake, workflow_copy

SIMULATED_START, SIMULATED_CUT = (
    f"{day}" for day in synthetic_dates(config.load(simulation={"n_patients": 40})["simulation"])
)
# The study period a run on real exports must name (config data_cut and study_start), and the
# stage: the synthetic trial's cut is its final analysis, as the built-in build takes it (by
# auto the last patients lack a few days of the horizon after their SBRT start).
PERIOD = (f"data_cut={SIMULATED_CUT}", f"study_start={SIMULATED_START}", "analysis_stage=final")


def test_the_run_ends_by_naming_the_paper_without_shell_noise(default_run):
    printed = (default_run / "snakemake.err").read_text()
    paper = printed[printed.index("The paper:") :].splitlines()[1:7]
    assert sorted(line.strip() for line in paper) == sorted(
        f"manuscript/_output/{doc}.{ext}"
        for doc in ("index", "supplement")
        for ext in ("html", "docx", "pdf")
    )
    assert "Shell command: None" not in printed


def test_default_target_builds_key_results(default_run):
    results = json.loads((default_run / "results" / "key_results.json").read_text())
    assert results["n_enrolled"] == 40
    for key in ("lcr_2y_km", "local_recurrence_2y", "regional_recurrence_2y", "pfs_2y", "os_2y"):
        entry = results[key]
        assert 0 <= entry["ci95"][0] <= entry["estimate"] <= entry["ci95"][1] <= 1
    lcr = results["lcr_2y"]
    assert lcr["ci95"][0] <= lcr["ci90"][0] <= lcr["estimate"] <= lcr["ci90"][1]
    assert isinstance(results["primary_success"], bool)
    assert results["trae_any"]["N"] == results["n_safety"]
    report = (default_run / "results" / "validation" / "report.md").read_text()
    assert "PASS" in report


def test_no_csv_the_workflow_writes_carries_a_live_formula(default_run):
    """Every cell of every CSV file under results/ is inert in a spreadsheet (CSV injection)."""
    live = []
    for path in sorted((default_run / "results").rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            live += [(path.name, c) for r in csv.reader(handle) for c in r if formula_like(c)]
    assert not live, live[:10]


def test_paper_is_rendered_and_every_number_in_its_prose_comes_from_the_results(default_run):
    output = default_run / "manuscript" / "_output"
    for document in ("index", "supplement"):
        for ext in ("html", "docx", "pdf"):
            assert (output / f"{document}.{ext}").stat().st_size > 10_000
        rendered = unlinked((output / f"{document}.html").read_text(encoding="utf-8"))
        variables = (default_run / "manuscript" / "_variables.yml").read_text(encoding="utf-8")
        assert untraced_numbers(rendered, variables) == [], document
        assert problems(rendered) == [], document  # brackets, signs, dashes, code names
        # the small config has fewer replicates than the plan: the paper says so at the top
        first_section = {"index": ">Abstract<", "supplement": ">Data quality and protocol"}
        assert rendered.index("Quick build.") < rendered.index(first_section[document])
        assert "Fewer replicates than the analysis plan: 100 bootstrap replicates" in rendered
        assert "?@" not in rendered and "?var:" not in rendered


def test_every_number_and_caption_of_the_html_links_to_its_audit_entry(default_run):
    """Each var the documents print is a link to audit.html, in order; each figure and table
    caption carries a marker; every link has its entry; DOCX and PDF carry none."""
    project = default_run / "manuscript"
    variables = yaml.safe_load((project / "_variables.yml").read_text(encoding="utf-8"))
    page = (project / "_output" / "audit.html").read_text(encoding="utf-8")
    entries = set(re.findall(r'<section class="entry" id="([^"]+)"', page))
    floats = audit.float_files(project)
    for document in ("index", "supplement"):
        printed: list[str] = []
        shortcodes.expand(
            project / f"{document}.qmd",
            project,
            variables,
            lambda key, value, printed=printed: printed.append(key) or value,
        )
        rendered = (project / "_output" / f"{document}.html").read_text(encoding="utf-8")
        links = re.findall(r'<a href="audit\.html#([^"]+)" class="audit">', rendered)
        assert len(printed) > 20 and links == printed, document
        markers = re.findall(r'<a href="audit\.html#([^"]+)" class="audit-float"', rendered)
        assert sorted(markers) == sorted(f"{document}-{label}" for label in floats[document])
        assert set(links) | set(markers) <= entries
    for document, names_page in (("index", False), ("supplement", True)):
        with zipfile.ZipFile(project / "_output" / f"{document}.docx") as docx:
            xml = docx.read("word/document.xml").decode("utf-8")
        assert "audit.html#" not in xml and ("audit.html" in xml) == names_page


def test_the_audit_names_only_files_rules_made_and_true_hashes_of_the_raw_exports(default_run):
    """Every file an entry names was made by a job Snakemake recorded (or is a source of the
    paper); each raw export's SHA-256 is the file's; lcr_2y leads to the rule efficacy, its
    script, ADTTE (PARAMCD LF) and the nine exports; nothing is stale after a clean run."""
    made = set(read_metadata(default_run / ".snakemake" / "metadata"))
    # or the paper's own sources, which the rule manuscript_variables reads
    sources = {
        str(p.relative_to(default_run)) for p in load_project(default_run / "manuscript").sources()
    }
    with open(default_run / "results" / "audit.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 100
    for row in rows:
        named = [row["file"], row["origin"], *row["inputs"].split(";")]
        assert {path for path in named if path} <= made | sources, row["key"]
        for item in filter(None, row["raw_exports"].split("; ")):
            path, digest = item.rsplit("=", 1)
            assert hashlib.sha256((default_run / path).read_bytes()).hexdigest() == digest
        assert row["stale"] == "", row
    lcr = next(row for row in rows if row["key"] == "lcr_2y.text")
    assert (lcr["rule"], lcr["script"]) == ("key_results", "scripts/key_results.py")
    assert lcr["origin"] == "results/efficacy/rates.csv"
    assert (lcr["origin_rule"], lcr["origin_script"]) == ("efficacy", "scripts/efficacy.py")
    raw = [item.rsplit("=", 1)[0] for item in lcr["raw_exports"].split("; ")]
    assert raw == sorted(f"results/raw/{table}.csv" for table in EXPORTS)
    page = (default_run / "manuscript" / "_output" / "audit.html").read_text(encoding="utf-8")
    entry = page[page.index('id="lcr_2y.text"') :]
    entry = entry[: entry.index("</section>")]
    shown = ("rules/efficacy.smk", "scripts/efficacy.py", "ADTTE", "PARAMCD LF", "SAFFL", "time=2y")
    for words in shown:
        assert words in entry, words


def test_every_job_records_its_time_and_memory(default_run):
    """bench/scale.py and cluster sizing read these: a benchmark file per job, and the log of
    every rule script ends with the kernel's CPU time and peak memory of the job."""
    benchmarks = list((default_run / "benchmarks").rglob("*.tsv"))
    logs = list((default_run / "logs").rglob("*.log"))
    assert len(benchmarks) == len(logs) > 40
    scripts = [log for log in logs if log.read_text().startswith("INFO rule ")]
    assert len(scripts) > 40
    for log in scripts:
        assert "INFO resources: cpu " in log.read_text().splitlines()[-1], log
    header = benchmarks[0].read_text().splitlines()[0].split("\t")
    assert header[:3] == ["s", "h:m:s", "max_rss"]


def test_two_clean_runs_give_byte_identical_results(default_run, tmp_path):
    """Same inputs and config: every file under results/ is the same, byte for byte."""
    folder = workflow_copy(tmp_path / "wf")
    done = snakemake(folder)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = default_run / "results", folder / "results"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [f for f in files if not filecmp.cmp(first / f, second / f, shallow=False)]
    assert not different, different
    assert any(f.suffix == ".png" for f in files) and any(f.suffix == ".pdf" for f in files)


def test_real_export_mode_reproduces_the_same_bytes(default_run, tmp_path):
    """Pointing raw_dir at the generated exports, with the trial's data cut, gives
    byte-identical analysis files; the report differs only in where the cut came from."""
    folder = workflow_copy(tmp_path / "wf")
    raw = default_run / "results" / "raw"
    done = snakemake(folder, "results/key_results.json", "--config", f"raw_dir={raw}", *PERIOD)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (folder / "results" / "raw").exists()
    for sub in ("validated", "adam", "efficacy", "safety"):
        left, right = default_run / "results" / sub, folder / "results" / sub
        names = sorted(p.name for p in right.iterdir())
        assert names, sub
        _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
        assert not mismatch and not errors, (sub, mismatch, errors)
    left, right = (run / "results" / "validation" for run in (default_run, folder))
    assert (left / "report.csv").read_bytes() == (right / "report.csv").read_bytes()
    simulated_md, exported_md = ((f / "report.md").read_text().splitlines() for f in (left, right))
    differ = [(a, b) for a, b in zip(simulated_md, exported_md, strict=True) if a != b]
    assert len(differ) == 1 and differ[0][1].startswith("Dates are checked against")
    assert "(config study_start;" in differ[0][1] and "(config data_cut)." in differ[0][1]
    simulated, exported = (
        json.loads((run / "results" / "key_results.json").read_text())
        for run in (default_run, folder)
    )
    assert (
        simulated.pop("data_source")["synthetic"] and not exported.pop("data_source")["synthetic"]
    )
    # Study data without a `study` block: the paper says which declarations are not given.
    assert simulated.pop("declarations")["funding"].startswith("Not applicable")
    assert exported.pop("declarations")["funding"] == (
        "Not given: set `study.funding` in the configuration."
    )
    assert simulated == exported  # every number the same; only the stated data source differs


def test_new_exports_do_not_rerun_the_simulation_study(default_run, tmp_path):
    """The study depends on the configuration alone: after a complete run, a changed raw
    value reruns the gate and what depends on the data, but plans no simulation_study job;
    a changed study setting does."""
    folder = tmp_path / "wf"
    shutil.copytree(default_run, folder, symlinks=True)  # keeps the times and .snakemake
    labs = folder / "results" / "raw" / "labs.csv"
    frame = pd.read_csv(labs, dtype=str, keep_default_na=False)
    frame.loc[0, "value"] = str(float(frame.loc[0, "value"]) + 0.001)
    frame.to_csv(labs, index=False, lineterminator="\n")

    def planned() -> set[str]:
        done = snakemake(folder, "--dry-run", "--quiet", "rules")
        assert done.returncode == 0, done.stderr[-3000:]
        return {line.split()[0] for line in done.stdout.splitlines() if line.strip()}

    rules = planned()  # the job stats: one line per rule that would run
    assert "validation_report" in rules and "adlb" in rules
    assert not any(rule.startswith("simulation_study") for rule in rules), rules
    # A changed study setting reruns the study, also when the gate reruns at the same time.
    small = folder / "small.yaml"
    small.write_text(small.read_text().replace("bootstrap_reps: 50", "bootstrap_reps: 60"))
    rules = planned()
    assert {"simulation_study_design", "simulation_study_batch", "validation_report"} <= rules


def test_fatal_export_stops_before_any_result(default_run, tmp_path):
    raw = tmp_path / "exports"
    shutil.copytree(default_run / "results" / "raw", raw)
    imaging = pd.read_csv(raw / "imaging.csv", dtype=str, keep_default_na=False)
    imaging.loc[2, "local_status"] = "progressed"  # not a code of the contract
    imaging.to_csv(raw / "imaging.csv", index=False, lineterminator="\n")
    (raw / "notes.csv").write_text("patient_name\nJane Doe\n")  # a file outside the contract
    folder = workflow_copy(tmp_path / "wf")
    done = snakemake(folder, "--config", f"raw_dir={raw}", *PERIOD)
    assert done.returncode != 0
    assert "imaging.csv" in done.stderr and "local_status" in done.stderr
    assert "rule validated_tables: see logs/validated_tables.log" in done.stderr  # onerror
    assert "notes.csv" in done.stderr
    findings = pd.read_csv(folder / "results" / "validation" / "report.csv")
    fatal = findings[findings["severity"] == "FATAL"]
    hit = fatal[(fatal["file"] == "imaging.csv") & (fatal["column"] == "local_status")]
    assert hit["row"].tolist() == [3] and hit["value"].tolist() == ["progressed"]
    assert "FAIL" in (folder / "results" / "validation" / "report.md").read_text()
    made = {p.relative_to(folder / "results").parts[0] for p in (folder / "results").rglob("*")}
    # Nothing from the data; results/design holds what the configuration alone determines.
    assert made - {"design"} == {"validation"}, made
    design = folder / "results" / "design"
    assert not design.exists() or [p.name for p in design.iterdir()] == ["simulation_study.json"]


def redcap_delivery(raw: Path, target: Path) -> Path:
    """The eCRF's data dictionary and the records export of the exports in `raw`, as a data
    manager downloads them from REDCap."""
    command = [sys.executable, "-m", "sbrtlung.redcap"]
    dictionary = target / "dictionary.csv"
    for args in (
        ["dictionary", "--out", str(dictionary)],
        ["export", str(raw), "--dictionary", str(dictionary), "--out", str(target / "records.csv")],
    ):
        subprocess.run([*command, *args], check=True, capture_output=True)
    return target


def test_redcap_mode_gives_the_same_tables_and_numbers_as_the_csv_exports(default_run, tmp_path):
    """raw_format redcap: the synthetic trial sent through REDCap's records format is split
    back into the same exports, so every analysis file and number is the CSV path's; the
    report locates findings in REDCap and provenance hashes the two REDCap files."""
    delivery = redcap_delivery(default_run / "results" / "raw", tmp_path / "redcap")
    folder = workflow_copy(tmp_path / "wf")
    targets = ["results/key_results.json", "results/provenance.json"]
    config = ["--config", f"raw_dir={delivery}", "raw_format=redcap", *PERIOD]
    done = snakemake(folder, *targets, *config)
    assert done.returncode == 0, done.stderr[-3000:]
    split = folder / "results" / "redcap" / "exports"
    _, mismatch, errors = filecmp.cmpfiles(
        default_run / "results" / "raw", split, [f"{t}.csv" for t in EXPORTS], shallow=False
    )
    assert not mismatch and not errors
    for sub in ("validated", "adam", "efficacy", "safety", "markers"):
        left, right = default_run / "results" / sub, folder / "results" / sub
        names = sorted(p.name for p in right.iterdir() if p.is_file())
        _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
        assert names and not mismatch and not errors, (sub, mismatch, errors)
    simulated, redcap = (
        json.loads((run / "results" / "key_results.json").read_text())
        for run in (default_run, folder)
    )
    for results in (simulated, redcap):
        results.pop("data_source"), results.pop("declarations")
    assert simulated == redcap
    inputs = json.loads((folder / "results" / "provenance.json").read_text())["inputs"]
    assert sorted(inputs) == ["dictionary.csv", "records.csv"]
    digest = hashlib.sha256((delivery / "records.csv").read_bytes()).hexdigest()
    assert inputs["records.csv"]["sha256"] == digest
    report = pd.read_csv(folder / "results" / "validation" / "report.csv", dtype=str)
    report = report.fillna("")
    assert list(report.columns[-4:]) == COLUMNS and (report["redcap_instrument"] != "").all()
    rows = report[report["row"] != "0"]
    assert len(rows) and (rows["redcap_record"] != "").all()
    assert rows["message"].str.contains(r"\[REDCap: record ").all()


def test_a_redcap_export_with_a_defect_stops_with_its_record_and_field(default_run, tmp_path):
    delivery = redcap_delivery(default_run / "results" / "raw", tmp_path / "redcap")
    lines = pd.read_csv(delivery / "records.csv", dtype=str, keep_default_na=False)
    base = lines.index[lines["redcap_repeat_instrument"].eq("") & lines["pt_age"].ne("")][1]
    record = lines.at[base, "record_id"]
    lines.at[base, "pt_age"] = "7"  # a child in an adult trial
    lines.to_csv(delivery / "records.csv", index=False, lineterminator="\n")
    folder = workflow_copy(tmp_path / "wf")
    done = snakemake(folder, "--config", f"raw_dir={delivery}", "raw_format=redcap", *PERIOD)
    assert done.returncode != 0
    assert f"[REDCap: record {record}, instrument patients, field pt_age]" in done.stderr
    made = {p.relative_to(folder / "results").parts[0] for p in (folder / "results").rglob("*")}
    assert made - {"design"} == {"redcap", "validation"}, made
    # labels instead of raw codes: the split refuses the delivery in one line
    lines.at[base, "pt_age"] = "70"
    lines["pt_sex"] = lines["pt_sex"].replace({"female": "Female", "male": "Male"})
    lines.to_csv(delivery / "records.csv", index=False, lineterminator="\n")
    done = snakemake(folder, "--config", f"raw_dir={delivery}", "raw_format=redcap", *PERIOD)
    assert done.returncode != 0 and "labels instead of raw codes" in done.stderr


@pytest.mark.parametrize(
    ("setting", "line"),
    [
        ("raw_dir=/nowhere/exports", "config error: raw_dir /nowhere/exports does not exist"),
        ("raw_dir=Snakefile", "config error: raw_dir Snakefile is not a folder"),
        ("data_cut=2024-02-30", "config error: data_cut: '2024-02-30' is not a calendar date"),
        ("raw_dir=config", "config error: data_cut is required for real exports"),
    ],
)
def test_a_config_the_workflow_cannot_use_stops_it_before_any_job(tmp_path, setting, line):
    folder = workflow_copy(tmp_path / "wf")
    done = snakemake(folder, "--config", setting)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()  # Snakemake's notes on profile and config first
    assert lines[-1].startswith(line), done.stderr
    assert not [x for x in lines[:-1] if "rror" in x or "Traceback" in x], done.stderr
    assert "Building DAG" not in done.stdout + done.stderr
    assert not (folder / "results").exists()


def _delivery(source: Path, target: Path, change) -> Path:
    """A copy of the trial's exports as text, changed by `change(tables)` in place."""
    target.mkdir()
    tables = {
        path.stem: pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(source.glob("*.csv"))
    }
    change(tables)
    for stem, table in tables.items():
        table.to_csv(target / f"{stem}.csv", index=False, lineterminator="\n")
    return target


def _header_only(tables):
    """No lab value, no regional or distant failure, no adverse event: each header only."""
    for stem in ("labs", "progression", "adverse_events"):
        tables[stem] = tables[stem].iloc[:0]


def _optional_columns_empty(tables):
    """Every column that may be empty is empty: no screening failure, no lung function, no
    local failure (so no confirmation), no AE end date, nobody dead."""
    screening = tables["screening"]
    tables["screening"] = screening[screening["eligible"] == "yes"].assign(exclusion_reason="")
    tables["patients"] = tables["patients"].assign(fev1_pct="", dlco_pct="")
    imaging = tables["imaging"]
    imaging.loc[imaging["local_status"] == "failure", "local_status"] = "controlled"
    imaging["confirmation"] = ""
    events = tables["adverse_events"]
    events["end_date"] = ""
    events.loc[events["grade"] == "5", "grade"] = "4"
    follow_up = tables["follow_up"]
    follow_up["vital_status"] = "alive"
    follow_up[["death_date", "cause_of_death"]] = ""


DELIVERIES = {"header_only": _header_only, "optional_columns_empty": _optional_columns_empty}
# The analysis of these deliveries needs no precision: fewer replicates than SMALL.
CHEAP = (
    "bootstrap_reps: 20\ncv_repeats: 2\n"
    "simulation_study:\n  replicates: 2\n  batches: 1\n  bootstrap_reps: 10\n"
)


def _text(path: Path) -> str:
    """A rendered HTML document's text on one line (line breaks of the source dropped), without
    the links to the audit page."""
    return " ".join(unlinked(path.read_text(encoding="utf-8")).split())


@pytest.mark.parametrize("name", list(DELIVERIES))
def test_whatever_the_gate_passes_runs_through_every_rule(default_run, tmp_path, name):
    """The gate passes these deliveries with WARN findings only; every rule of the default
    target then runs, and the paper says what could not be analysed."""
    raw = _delivery(default_run / "results" / "raw", tmp_path / "raw", DELIVERIES[name])
    folder = workflow_copy(tmp_path / "wf")
    (folder / "small.yaml").write_text(CHEAP)
    done = snakemake(folder, "--config", f"raw_dir={raw}", *PERIOD)
    assert done.returncode == 0, done.stderr[-3000:]
    report = pd.read_csv(folder / "results" / "validation" / "report.csv")
    assert (report["severity"] == "WARN").all()
    paper = _text(folder / "manuscript" / "_output" / "index.html")
    supplement = _text(folder / "manuscript" / "_output" / "supplement.html")
    models = pd.read_csv(folder / "results" / "models" / "performance.csv")
    if name == "header_only":
        empty = report.loc[report["row"] == 0, ["file", "rule"]].drop_duplicates()
        assert set(map(tuple, empty.to_numpy())) >= {
            ("labs.csv", "no_lab_values"),
            ("progression.csv", "no_event_recorded"),
            ("adverse_events.csv", "no_event_recorded"),
        }
        assert "blood-marker analyses and the prognostic models with markers were not done" in paper
        assert "Without blood-marker values only the clinical model was assessed" in paper
        assert "blood-marker analyses were not done" in supplement
        assert set(models["model"]) == {"clinical"}
        assert (
            "No adverse event in this category"
            in (folder / "results" / "tables" / "trae.md").read_text()
        )
    else:
        assert "Without blood-marker values" not in paper
        key = json.loads((folder / "results" / "key_results.json").read_text())
        assert key["n_deaths"] == 0 and key["lcr_2y"]["estimate"] == 1
        assert set(models["endpoint"]) == {"PFS"}  # no death: no model of overall survival
        sentence = "C of the clinical model was not estimable, and that of the model with"
        assert sentence in " ".join(paper.split())  # overall survival: no death


def test_a_corrupt_intermediate_is_named_with_how_to_rebuild_it(default_run, tmp_path):
    folder = tmp_path / "wf"
    shutil.copytree(default_run, folder, symlinks=True)
    adsl = folder / "results" / "adam" / "adsl.parquet"
    adsl.write_bytes(adsl.read_bytes()[:100])
    done = snakemake(folder, "results/efficacy/rates.csv")
    assert done.returncode != 0
    assert (
        "input results/adam/adsl.parquet is truncated or corrupt (" in done.stderr
        and "delete it and run snakemake again, which rebuilds it" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_share_builds_the_package_and_leaves_every_result_as_it_was(default_run, tmp_path):
    """`snakemake share` after a complete run adds the package under results/share/, with
    checksums that hold, a define.xml that passes its schema and XPT files that read back
    as their parquet datasets after the documented recodes; no other file of results/
    changes (docs/sharing.md)."""
    folder = tmp_path / "wf"
    shutil.copytree(default_run, folder, symlinks=True)  # keeps the times and .snakemake

    def digests() -> dict[Path, str]:
        results = folder / "results"
        return {
            p.relative_to(results): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in results.rglob("*")
            if p.is_file()
        }

    before = digests()
    done = snakemake(folder, "share")
    assert done.returncode == 0, done.stderr[-3000:]
    after = digests()
    assert {path: after[path] for path in before} == before
    added = sorted(str(p) for p in set(after) - set(before))
    assert added and all(p.startswith("share/") for p in added), added
    share = folder / "results" / "share"
    for line in (share / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split("  ")
        assert hashlib.sha256((share / path).read_bytes()).hexdigest() == digest, path
    validate_define(share / "define.xml")  # raises if invalid
    for name in ("adsl", "adles", "adtte", "adae", "adlb"):
        parquet = pd.read_parquet(folder / "results" / "adam" / f"{name}.parquet")
        shared, _ = pyreadstat.read_xport(str(share / "xpt" / f"{name}.xpt"))
        assert_shared_as_documented(parquet, shared, name)
