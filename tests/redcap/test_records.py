"""REDCap's records export and the nine exports: the round trip on synthetic trials of several
sizes and seeds and on the hand-written delivery, the shape of the export, and everything
`split` and `export` refuse, each with one clear message.

The records format is REDCap's flat CSV export with raw codes, as in the test data of REDCapR
(OuhscBbmc/REDCapR, inst/test-data/projects/repeating-instruments/data.csv and
vignette-repeating/data.csv: the record ID, `redcap_repeat_instrument`,
`redcap_repeat_instance`, each instrument's fields followed by `<form>_complete`; one row per
record for the non-repeating instruments, one per instance; `blank-for-gray-status/data.csv`
and `dag/data.csv` for never-saved forms exported as status 0 and the
`redcap_data_access_group` column) and PyCap's `export_records` (redcap-tools/PyCap,
redcap/methods/records.py: `rawOrLabel`, `rawOrLabelHeaders`, labels such as
Unchecked/Checked in a label export).
"""

import csv
import io
import random
import subprocess
import sys
from pathlib import Path

import pytest

from sbrtlung import config
from sbrtlung.redcap import metadata, records
from sbrtlung.redcap.ecrf import RedcapError
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.synthetic.simulate import simulate_trial, write_exports
from tests.validation.factory import clean_rows, write_folder


def _export(folder: Path) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records.export(records.read_exports(folder)))
    return out.getvalue()


def _split_to(text: str, folder: Path) -> list[tuple]:
    tables, row_map = records.split(text)
    records.write_exports(tables, folder)
    return row_map


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("n_patients", "n_sites", "seed"), [(12, 2, 1), (100, 6, 20240601), (400, 9, 42)]
)
def test_split_after_export_gives_back_the_synthetic_exports_byte_for_byte(
    tmp_path, n_patients, n_sites, seed
):
    c = config.load(simulation={"n_patients": n_patients, "n_sites": n_sites})
    write_exports(simulate_trial(c["simulation"], seed), tmp_path / "raw")
    text = _export(tmp_path / "raw")
    row_map = _split_to(text, tmp_path / "back")
    for path in sorted((tmp_path / "raw").iterdir()):
        assert path.read_bytes() == (tmp_path / "back" / path.name).read_bytes(), path.name
    lines = _rows(text)
    assert len(row_map) == sum(len(r) for r in records.read_exports(tmp_path / "raw").values())
    assert sum(not r["redcap_repeat_instrument"] for r in lines) == len(
        records.read_exports(tmp_path / "raw")["screening"]
    )


def test_round_trip_of_the_hand_written_delivery_and_of_shuffled_rows(tmp_path):
    rows = clean_rows()
    write_folder(rows, tmp_path / "raw")  # CRLF line ends: the split writes LF
    _split_to(_export(tmp_path / "raw"), tmp_path / "back")
    for path in sorted((tmp_path / "raw").iterdir()):
        back = (tmp_path / "back" / path.name).read_text()
        assert path.read_text().splitlines() == back.splitlines(), path.name
    # the contract defines no order: shuffled exports come back with the same rows
    shuffled = {stem: random.Random(7).sample(r, len(r)) for stem, r in rows.items()}
    write_folder(shuffled, tmp_path / "shuffled")
    _split_to(_export(tmp_path / "shuffled"), tmp_path / "back2")
    for stem in rows:
        original = (tmp_path / "raw" / f"{stem}.csv").read_text().splitlines()
        back = (tmp_path / "back2" / f"{stem}.csv").read_text().splitlines()
        assert original[0] == back[0] and sorted(original[1:]) == sorted(back[1:]), stem


def test_export_has_redcaps_shape(tmp_path):
    write_folder(clean_rows(), tmp_path / "raw")
    lines = _rows(_export(tmp_path / "raw"))
    first = lines[0]
    assert list(first)[:3] == ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    assert first["record_id"] == "SCR-001" and first["scr_patient_id"] == "S01-001"
    assert first["screening_complete"] == first["patients_complete"] == "2"
    assert first["lesions_complete"] == ""  # a repeating instrument's status is on its rows
    lesion = next(r for r in lines if r["redcap_repeat_instrument"] == "lesions")
    assert (lesion["record_id"], lesion["redcap_repeat_instance"], lesion["les_lesion_id"]) == (
        "SCR-001",
        "1",
        "L1",
    )
    assert lesion["scr_site_id"] == lesion["pt_age"] == ""
    not_enrolled = next(r for r in lines if r["record_id"] == "SCR-002")
    assert not_enrolled["patients_complete"] == "0"  # never saved, as REDCap exports it
    lab = next(r for r in lines if r["redcap_repeat_instrument"] == "labs")
    assert lab["lab_unit"] == "10e9_per_l"  # REDCap's code for 10^9/L


def test_the_row_map_names_record_instrument_and_instance(tmp_path):
    write_folder(clean_rows(), tmp_path / "raw")
    row_map = _split_to(_export(tmp_path / "raw"), tmp_path / "back")
    where = {(file, row): rest for file, row, *rest in row_map}
    assert where[("screening.csv", 2)] == ["SCR-002", "screening", ""]
    assert where[("patients.csv", 3)] == ["SCR-004", "patients", ""]
    assert where[("lesions.csv", 2)] == ["SCR-001", "lesions", "2"]
    assert where[("imaging.csv", 9)] == ["SCR-003", "imaging", "1"]


def test_a_dag_column_is_accepted_and_values_reach_the_exports_verbatim(tmp_path):
    write_folder(clean_rows(), tmp_path / "raw")
    lines = _rows(_export(tmp_path / "raw"))
    for line in lines:
        line["redcap_data_access_group"] = "site_1"
        if line["record_id"] == "SCR-001" and not line["redcap_repeat_instrument"]:
            line["pt_age"] = "68.0"  # REDCap would refuse it; the gate must see it as it is
            line["pt_sex"] = "unknown"
    tables, _ = records.split(_text(lines))
    patient = dict(zip(EXPORTS["patients"].to_schema().columns, tables["patients"][0], strict=True))
    assert patient["age"] == "68.0" and patient["sex"] == "unknown"


def _refusal(lines: list[dict[str, str]]) -> str:
    with pytest.raises(RedcapError) as raised:
        records.split(_text(lines))
    return str(raised.value)


@pytest.fixture
def lines(tmp_path):
    write_folder(clean_rows(), tmp_path / "raw")
    return _rows(_export(tmp_path / "raw"))


def test_labels_instead_of_raw_codes_are_refused(lines):
    lines[0]["pt_sex"] = "Male"
    message = _refusal(lines)
    assert "labels instead of raw codes" in message and "record SCR-001 pt_sex 'Male'" in message
    assert "rawOrLabel=raw" in message


def test_label_statuses_and_instrument_names_are_refused(lines):
    for line in lines:
        line["screening_complete"] = "Complete" if line["screening_complete"] else ""
        if line["redcap_repeat_instrument"] == "adverse_events":
            line["redcap_repeat_instrument"] = "Adverse Events"
    message = _refusal(lines)
    assert "screening_complete 'Complete'" in message and "'Adverse Events'" in message


def test_a_header_of_field_labels_is_refused(lines):
    labelled = [
        {("Screening log number" if k == "record_id" else k): v for k, v in r.items()}
        for r in lines
    ]
    assert "column names are field labels" in _refusal(labelled)


def test_unknown_fields_are_refused(lines):
    for line in lines:
        line["patient_name"] = ""
        line["screening_timestamp"] = ""
    message = _refusal(lines)
    assert "does not know: patient_name, screening_timestamp" in message
    assert "export without survey fields" in message


def test_missing_fields_longitudinal_and_non_repeating_projects_are_refused(lines):
    assert "fields missing from the export: pt_age" in _refusal(
        [{k: v for k, v in r.items() if k != "pt_age"} for r in lines]
    )
    assert "longitudinal" in _refusal([{"redcap_event_name": "baseline_arm_1", **r} for r in lines])
    flat = [
        {
            k: v
            for k, v in r.items()
            if k not in ("redcap_repeat_instrument", "redcap_repeat_instance")
        }
        for r in lines
    ]
    assert "set up lesions, sbrt, imaging" in _refusal(flat)


def test_repeating_data_on_the_record_row_and_duplicate_instances_are_refused(lines):
    lines[0]["les_lobe"] = "rul"
    assert "data of lesions on the record's non-repeating row" in _refusal(lines)
    lines[0]["les_lobe"] = ""
    lines.insert(2, dict(lines[1]))
    assert "instance 1 of lesions is on two rows" in _refusal(lines)


def test_structural_problems_are_listed_together(lines):
    lines[1]["redcap_repeat_instance"] = "x"
    lines[2]["redcap_repeat_instrument"] = "patients"
    lines[3]["record_id"] = ""
    message = _refusal(lines)
    assert "'x' is not a positive whole number" in message
    assert "'patients' is not repeating" in message and "has no record_id" in message


def test_export_refuses_what_a_record_cannot_hold(tmp_path):
    rows = clean_rows()
    rows["lesions"][0]["patient_id"] = "S09-999"
    write_folder(rows, tmp_path / "a")
    with pytest.raises(RedcapError, match=r"lesions.csv row 1: patient 'S09-999' is on no"):
        records.export(records.read_exports(tmp_path / "a"))
    rows = clean_rows()
    rows["patients"][2]["site_id"] = "S03"
    write_folder(rows, tmp_path / "b")
    with pytest.raises(RedcapError, match=r"patients.csv row 3: site_id 'S03' differs"):
        records.export(records.read_exports(tmp_path / "b"))
    rows = clean_rows()
    rows["follow_up"].append(dict(rows["follow_up"][0]))
    write_folder(rows, tmp_path / "c")
    with pytest.raises(RedcapError, match=r"follow_up.csv row 4: a second follow_up row"):
        records.export(records.read_exports(tmp_path / "c"))


# --- the data dictionary that comes with the records ------------------------------------------


def _dictionary(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dictionary.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_generated_dictionary_is_accepted_also_with_a_bom_and_translated_labels(tmp_path):
    metadata.check(_dictionary(tmp_path, "\ufeff" + metadata.render()))
    translated = metadata.render().replace("Date of screening", "Fecha de cribado")
    metadata.check(_dictionary(tmp_path, translated))


def test_a_dictionary_that_is_not_ours_is_refused(tmp_path):
    header = ",".join(f'"{h}"' if "," in h else h for h in metadata.HEADER)
    other = header + "\nrecord_id,demographics,,text,Record ID,,,,,,,,,,,,,\n"
    with pytest.raises(RedcapError, match="not this study's eCRF"):
        metadata.check(_dictionary(tmp_path, other))
    with pytest.raises(RedcapError, match="not a REDCap data dictionary"):
        metadata.check(_dictionary(tmp_path, "field,form\nx,y\n"))


def test_an_older_version_is_refused(tmp_path):
    older = metadata.render().replace("@SBRTLUNG-VERSION=", "@SBRTLUNG-VERSION=0ld")
    with pytest.raises(RedcapError, match=r"made for version 0ld.* reads version"):
        metadata.check(_dictionary(tmp_path, older))


def test_an_edited_dictionary_is_refused(tmp_path):
    edited = metadata.render().replace("female, Female | male, Male", "f, Female | m, Male")
    with pytest.raises(RedcapError, match="field pt_sex has another codes"):
        metadata.check(_dictionary(tmp_path, edited))
    extra = metadata.render() + "pt_name,patients,,text,Name,,,,,,y,,,,,,,\n"
    with pytest.raises(RedcapError, match="field pt_name is not part of the eCRF"):
        metadata.check(_dictionary(tmp_path, extra))


def test_the_command_line_refuses_with_one_line_and_no_traceback(tmp_path):
    write_folder(clean_rows(), tmp_path / "raw")
    dictionary = tmp_path / "dictionary.csv"
    run = [sys.executable, "-m", "sbrtlung.redcap"]
    done = subprocess.run([*run, "dictionary", "--out", str(dictionary)], capture_output=True)
    assert done.returncode == 0
    records_csv = tmp_path / "records.csv"
    done = subprocess.run(
        [
            *run,
            "export",
            str(tmp_path / "raw"),
            "--dictionary",
            str(dictionary),
            "--out",
            str(records_csv),
        ],
        capture_output=True,
    )
    assert done.returncode == 0 and records_csv.stat().st_size > 1000
    records_csv.write_text(records_csv.read_text().replace(",female,", ",Female,"))
    done = subprocess.run(
        [
            *run,
            "split",
            str(records_csv),
            "--dictionary",
            str(dictionary),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "labels instead of raw codes" in done.stderr
    done = subprocess.run(
        [
            *run,
            "split",
            str(tmp_path / "nowhere.csv"),
            "--dictionary",
            str(dictionary),
            "--out",
            "o",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and done.stderr.strip().endswith("nowhere.csv: no such file")
