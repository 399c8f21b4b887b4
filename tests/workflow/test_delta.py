"""The delta between two data cuts, end to end: two deliveries of the synthetic trial that
differ by five patients, one deleted AE, one AE raised from grade 2 to 3 and one scan moved.
changes.csv lists exactly those, and the grade >= 3 TRAE count moves by one."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench import scratch
from sbrtlung import config
from sbrtlung.study import synthetic_dates
from sbrtlung.synthetic.simulate import simulate_trial, write_exports

CHEAP = (
    "bootstrap_reps: 20\ncv_repeats: 2\nsimulation:\n  n_patients: 40\n"
    "simulation_study:\n  replicates: 2\n  batches: 1\n  bootstrap_reps: 10\n"
)
RELATED = ("possible", "probable", "definite")


def snakemake(folder: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    command += ["--configfile", "cheap.yaml"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)


def as_text(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*"))
    }


def write(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir()
    for stem, table in tables.items():
        table.to_csv(folder / f"{stem}.csv", index=False, lineterminator="\n")
    return folder


@pytest.fixture(scope="module")
def two_cuts(tmp_path_factory):
    root = tmp_path_factory.mktemp("delta")
    sim = config.load(simulation={"n_patients": 40})["simulation"]
    start, cut = (str(day) for day in synthetic_dates(sim))
    write_exports(simulate_trial(sim, seed=20240601), root / "full")
    full = as_text(root / "full")
    ae = full["adverse_events"]
    severe = set(ae.loc[ae["attribution"].isin(RELATED) & (ae["grade"] >= "3"), "patient_id"])
    patients = full["patients"].sort_values(["enrollment_date", "patient_id"])
    late = [p for p in reversed(patients["patient_id"].tolist()) if p not in severe][:5]
    early = patients["patient_id"].iloc[0]
    previous = {
        stem: table[~table["patient_id"].isin(late)].reset_index(drop=True)
        for stem, table in full.items()
    }
    current = {stem: table.copy() for stem, table in full.items()}
    events = current["adverse_events"]
    candidates = events[
        events["attribution"].isin(RELATED)
        & (events["grade"] == "2")
        & ~events["patient_id"].isin(severe | set(late))
    ]
    raised = candidates.index[0]
    assert events.loc[raised, "patient_id"] in set(patients["patient_id"].iloc[:20])
    events.loc[raised, "grade"] = "3"
    deleted = events[(events["grade"] == "1") & ~events["patient_id"].isin(set(late))].index[0]
    current["adverse_events"] = events.drop(index=deleted).reset_index(drop=True)
    scans = current["imaging"]
    moved = scans[(scans["patient_id"] == early)].index[1]
    old_date = scans.loc[moved, "assessment_date"]
    scans.loc[moved, "assessment_date"] = str(
        (pd.Timestamp(old_date) - pd.Timedelta(days=1)).date()
    )
    folder = root / "wf"
    scratch.workflow_copy(folder)
    (folder / "cheap.yaml").write_text(CHEAP)
    args = [
        f"raw_dir={write(current, root / 'current')}",
        f"data_cut={cut}",
        f"study_start={start}",
        f"previous_raw_dir={write(previous, root / 'previous')}",
        f"previous_data_cut={cut}",
    ]
    done = snakemake(folder, "delta", "--config", *args)
    assert done.returncode == 0, done.stderr[-3000:]
    edits = {
        "raised": (events.loc[raised, "patient_id"], events.loc[raised, "ae_id"]),
        "deleted": (events.loc[deleted, "patient_id"], events.loc[deleted, "ae_id"]),
        "scan": (
            early,
            scans.loc[moved, "lesion_id"],
            old_date,
            scans.loc[moved, "assessment_date"],
        ),
        "late": late,
        "late_screening": {
            f"screening_id={sid}"
            for sid in full["screening"].loc[
                full["screening"]["patient_id"].isin(late), "screening_id"
            ]
        },
        "added_rows": sum(int(t["patient_id"].isin(late).sum()) for t in full.values()),
    }
    return folder, edits


def test_changes_are_exactly_the_edits(two_cuts):
    folder, edits = two_cuts
    changes = pd.read_csv(folder / "results/delta/changes.csv", dtype=str, keep_default_na=False)
    assert list(changes.columns) == [
        "export",
        "key",
        "column",
        "previous",
        "current",
        "change",
        "retroactive",
        "late_entry",
    ]
    new_patient = changes["key"].str.extract(r"patient_id=([^;]+)")[0].isin(edits["late"])
    new_patient |= changes["key"].isin(edits["late_screening"])  # keyed by screening_id
    assert (changes.loc[new_patient, "change"] == "added").all()
    assert new_patient.sum() == edits["added_rows"]
    rest = changes[~new_patient].set_index(["export", "key", "column"])
    patient, ae = edits["raised"]
    gone, gone_ae = edits["deleted"]
    scan_patient, lesion, before, after = edits["scan"]
    scan = f"patient_id={scan_patient};lesion_id={lesion};assessment_date="
    expected = {
        ("adverse_events", f"patient_id={patient};ae_id={ae}", "grade"): (
            "2",
            "3",
            "changed",
            "yes",
        ),
        ("adverse_events", f"patient_id={gone};ae_id={gone_ae}", ""): ("", "", "removed", "yes"),
        ("imaging", scan + before, ""): ("", "", "removed", "yes"),
        ("imaging", scan + after, ""): ("", "", "added", "no"),
    }
    got = {
        index: (row["previous"], row["current"], row["change"], row["retroactive"])
        for index, row in rest.iterrows()
    }
    assert got == expected
    assert (changes.loc[new_patient, "late_entry"] == "yes").all()  # all dated before the cut


def test_the_grade_3_trae_count_moves_by_one_and_the_report_orders_its_parts(two_cuts):
    folder, _ = two_cuts
    numbers = pd.read_csv(
        folder / "results/delta/key_results.csv", dtype=str, keep_default_na=False
    )
    row = numbers.set_index("key").loc["trae_grade3plus.n"]
    assert int(row["current"]) - int(row["previous"]) == 1 and row["difference"] == "1"
    enrolled = numbers.set_index("key").loc["n_enrolled"]
    assert enrolled["difference"] == "5"
    report = (folder / "results/delta/report.md").read_text()
    parts = ["Retroactive changes", "Late entries", "Changes per export", "Key results that moved"]
    assert [report.index(part) for part in parts] == sorted(report.index(part) for part in parts)
    assert "<html" in (folder / "results/delta/report.html").read_text()


def test_two_identical_cuts_give_no_changes_and_a_later_previous_cut_is_refused(two_cuts, tmp_path):
    folder, _ = two_cuts
    raw = folder.parent / "current"
    start, cut = (
        str(day)
        for day in synthetic_dates(config.load(simulation={"n_patients": 40})["simulation"])
    )
    same = ["raw_dir=" + str(raw), f"data_cut={cut}", f"study_start={start}"]
    same.append(f"previous_raw_dir={raw}")
    done = snakemake(folder, "delta", "--config", *same, f"previous_data_cut={cut}")
    assert done.returncode == 0, done.stderr[-3000:]
    changes = pd.read_csv(folder / "results/delta/changes.csv")
    assert changes.empty
    assert "No changes" in (folder / "results/delta/report.md").read_text()
    later = str((pd.Timestamp(cut) + pd.Timedelta(days=1)).date())
    done = snakemake(folder, "delta", "--config", *same, f"previous_data_cut={later}")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        f"config error: previous_data_cut {later} is after the data cut {cut}: "
        "the previous delivery must be the earlier one"
    )
