"""Snakemake's persistence records read back: paths, jobs, chains and staleness."""

import base64
import json
import os

from sbrtlung.manuscript.records import Records, read_metadata

RULES = {
    "make_raw": {
        "snakefile": "rules/raw.smk",
        "lineno": 1,
        "script": "scripts/make_raw.py",
        "shell": None,
        "outputs": [r"raw/(?P<table>[^/]+)\.csv$"],
        "logs": ["logs/raw/{table}.log"],
        "benchmark": "benchmarks/raw/{table}.tsv",
        "params": [["seed", "1"]],
    },
    "analyse": {
        "snakefile": "rules/analyse.smk",
        "lineno": 7,
        "script": "scripts/analyse.py",
        "shell": None,
        "outputs": [r"results/rates\.csv$"],
        "logs": ["logs/analyse.log"],
        "benchmark": "benchmarks/analyse.tsv",
        "params": [["reps", "200"], ["seed", "1"], ["folder", None]],
    },
    "copy": {
        "snakefile": "rules/copy.smk",
        "lineno": 3,
        "script": None,
        "shell": "cp {input} {output}",
        "outputs": [r"paper/rates\.csv$"],
        "logs": ["logs/copy.log"],
        "benchmark": None,
        "params": [],
    },
}


def write_record(folder, path, record, max_len=None):
    """As Snakemake's file persistence does: urlsafe base64, long names split into '@' folders."""
    name = base64.urlsafe_b64encode(path.encode()).decode()
    parts = (
        [name] if max_len is None else [name[i : i + max_len] for i in range(0, len(name), max_len)]
    )
    parts = ["@" + p for p in parts[:-1]] + [parts[-1]]
    target = folder.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record))


def build(tmp_path):
    metadata = tmp_path / ".snakemake" / "metadata"
    for table in ("a", "b"):
        write_record(
            metadata, f"raw/{table}.csv", {"rule": "make_raw", "input": [], "params": ["1"]}
        )
    write_record(
        metadata,
        "results/rates.csv",
        {
            "rule": "analyse",
            "input": ["raw/a.csv", "raw/b.csv"],
            "log": ["logs/analyse.log"],
            "params": ["'results'", "1", "200"],  # sorted, without names, as Snakemake keeps them
            "code": None,
        },
        max_len=8,
    )
    write_record(
        metadata,
        "paper/rates.csv",
        {
            "rule": "copy",
            "input": ["results/rates.csv"],
            "log": ["logs/copy.log"],
            "params": [],
            "code": "cp {input} {output}",
        },
    )
    for path in (
        "raw/a.csv",
        "raw/b.csv",
        "results/rates.csv",
        "paper/rates.csv",
        "scripts/analyse.py",
        "scripts/make_raw.py",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x\n")
    times = {
        "scripts/make_raw.py": 50,
        "scripts/analyse.py": 50,
        "raw/a.csv": 100,
        "raw/b.csv": 100,
        "results/rates.csv": 200,
        "paper/rates.csv": 300,
    }
    for path, mtime in times.items():
        os.utime(tmp_path / path, (mtime, mtime))
    return Records(read_metadata(metadata), RULES, tmp_path)


def test_records_are_decoded_by_path_also_when_split_into_folders(tmp_path):
    records = build(tmp_path)
    assert sorted(records.metadata) == [
        "paper/rates.csv",
        "raw/a.csv",
        "raw/b.csv",
        "results/rates.csv",
    ]


def test_a_job_names_its_rule_script_inputs_log_benchmark_and_named_params(tmp_path):
    job = build(tmp_path).job("results/rates.csv")
    assert (job.rule, job.snakefile, job.lineno, job.script) == (
        "analyse",
        "rules/analyse.smk",
        7,
        "scripts/analyse.py",
    )
    assert job.inputs == ("raw/a.csv", "raw/b.csv")
    assert job.logs == ("logs/analyse.log",) and job.benchmark == "benchmarks/analyse.tsv"
    assert job.params == (("reps", "200"), ("seed", "1"), ("folder", "'results'"))
    assert job.recorded and job.stale == ()


def test_wildcards_of_the_file_fill_the_benchmark_pattern(tmp_path):
    job = build(tmp_path).job("raw/b.csv")
    assert job.benchmark == "benchmarks/raw/b.tsv" and job.inputs == ()


def test_the_chain_walks_every_job_back_to_the_exports_once(tmp_path):
    chain = build(tmp_path).chain("paper/rates.csv")
    assert [job.path for job in chain] == [
        "paper/rates.csv",
        "results/rates.csv",
        "raw/a.csv",
        "raw/b.csv",
    ]
    assert build(tmp_path).job("notes/unknown.txt") is None


def test_a_file_without_a_record_is_found_by_its_rule_and_said_to_have_none(tmp_path):
    records = build(tmp_path)
    del records.metadata["results/rates.csv"]
    job = records.job("results/rates.csv")
    assert job.rule == "analyse" and not job.recorded
    assert job.stale == ("Snakemake has no record of the job that made it",)


def test_stale_when_older_than_an_input_or_when_the_code_changed(tmp_path):
    metadata = build(tmp_path).metadata
    os.utime(tmp_path / "raw/b.csv", (250, 250))
    os.utime(tmp_path / "scripts/analyse.py", (260, 260))
    rules = {**RULES, "copy": {**RULES["copy"], "shell": "cp -p {input} {output}"}}
    records = Records(metadata, rules, tmp_path)
    assert records.job("results/rates.csv").stale == (
        "older than its input raw/b.csv",
        "scripts/analyse.py was edited after the file was made",
    )
    assert records.job("paper/rates.csv").stale == (
        "the rule's shell command changed since the file was made",
    )


def test_a_param_changed_since_the_file_was_made_is_shown_and_makes_it_stale(tmp_path):
    metadata = build(tmp_path).metadata
    declared = [["reps", "500"], ["seed", "1"], ["folder", None]]
    records = Records(metadata, {**RULES, "analyse": {**RULES["analyse"], "params": declared}})
    job = Records(metadata, records.rules, tmp_path).job("results/rates.csv")
    assert job.params[0] == ("reps", "500 (the value now; the file was made with another)")
    # two recorded values left for one function: both shown, neither named as if known
    assert job.params[2:] == (("folder (one of)", "'results'"), ("folder (one of)", "200"))
    assert "a param of the rule changed since the file was made" in job.stale
