"""The shared package of a small synthetic trial: the XPT files read back (pyreadstat) equal
the datasets after the documented recodes, the v5 limits hold, define.xml passes the
Define-XML 2.1 schema and describes exactly the files, the Dataset-JSON files pass the
Dataset-JSON 1.1 schema, no value is a calendar date or an age above 90, and the same data
give the same bytes. Bad data are refused with a message, never cut."""

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pyreadstat
import pytest
from defineutils.validate import DefineSchemaValidationError
from lxml import etree

from sbrtlung import config
from sbrtlung.adam import derive_all
from sbrtlung.schemas import adam as schema
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.share import define
from sbrtlung.share.deidentify import DATE
from sbrtlung.share.metadata import ShareError, dataset_spec
from sbrtlung.share.package import DATASETS, build_package, write_package
from sbrtlung.synthetic.simulate import simulate_trial
from sbrtlung.validation.period import latest_date

HERE = Path(__file__).parent
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}
RUN = {
    "inputs": {"patients.csv": {"sha256": "0" * 64, "rows": 30, "bytes": 1}},
    "config_sha256": "1" * 64,
    "packages": {"pandas": pd.__version__},
    "python": "3",
    "git": {"commit": None, "dirty": None},
}
SETTINGS = {"studyid": "TESTSTUDY", "recode_sites": True, "site_seed": None}
OLD = 93  # one patient's age, above the Safe Harbor limit


@pytest.fixture(scope="module")
def adam():
    cfg = config.load(simulation={"n_patients": 30})
    trial = simulate_trial(cfg["simulation"], 5)
    frames = derive_all(trial, cfg, latest_date(trial))
    frames["adsl"].loc[0, "AGE"] = OLD
    return frames


@pytest.fixture(scope="module")
def package(adam, tmp_path_factory):
    folder = tmp_path_factory.mktemp("share")
    files = build_package(adam, RUN, SETTINGS, 7)
    write_package(files, folder)
    return folder


def xpt(package, name):
    return pyreadstat.read_xport(str(package / "xpt" / f"{name}.xpt"))


def short_names(name: str) -> dict[str, str]:
    """Long name -> short name, as the schema's metadata gives them."""
    columns = schema.DATASETS[name].to_schema().columns
    return {n: (c.metadata or {}).get("short", n) for n, c in columns.items()}


def site_map(adam, package) -> dict[str, str]:
    shared, _ = xpt(package, "adsl")
    pairs = set(zip(adam["adsl"]["SITEID"], shared["SITEID"], strict=True))
    return dict(pairs)


def test_sites_are_recoded_one_to_one_and_never_kept(adam, package):
    sites = site_map(adam, package)
    assert len(sites) == adam["adsl"]["SITEID"].nunique() == len(set(sites.values()))
    assert not set(sites) & set(sites.values())
    assert all(re.fullmatch(r"X\d{3}", code) for code in sites.values())


def assert_shared_as_documented(original: pd.DataFrame, shared: pd.DataFrame, name: str):
    """`shared` (an XPT file read back) holds `original` (an ADaM dataset) after the
    documented recodes: STUDYID first, short names, flags Y/N, missing text blank, ages above
    89 as 90, and sites recoded one to one, with the patient number kept."""
    original = original.reset_index(drop=True)
    assert len(shared) == len(original) and shared.columns[0] == "STUDYID"
    for long, short in short_names(name).items():
        got, want = shared[short], original[long]
        if long in ("USUBJID", "SITEID"):
            site, _, number = want.str.partition("-")[[0, 1, 2]].T.to_numpy()
            new_site, _, new_number = got.str.partition("-")[[0, 1, 2]].T.to_numpy()
            pairs = set(zip(site, new_site, strict=True))
            assert len(pairs) == len(set(site)) == len({b for _, b in pairs}), long
            if long == "USUBJID":
                assert (number == new_number).all()
            continue
        if long == "AGE":
            want = want.where(want <= 89, 90)
        if want.dtype == bool:
            assert got.tolist() == want.map({True: "Y", False: "N"}).tolist(), long
        elif pd.api.types.is_numeric_dtype(want):
            expected = want.astype("Float64").astype(float).to_numpy()
            assert np.array_equal(got.to_numpy(float), expected, equal_nan=True), long
        else:  # a missing text is blank in XPT
            assert got.tolist() == want.astype(object).where(want.notna(), "").tolist(), long


@pytest.mark.parametrize("name", DATASETS)
def test_every_xpt_reads_back_equal_to_its_dataset_after_the_recodes(adam, package, name):
    shared, meta = xpt(package, name)
    assert meta.table_name == name.upper()
    assert (shared["STUDYID"] == "TESTSTUDY").all()
    assert_shared_as_documented(adam[name], shared, name)
    sites = site_map(adam, package)
    if "SITEID" in shared:
        assert shared["SITEID"].tolist() == adam[name]["SITEID"].map(sites).tolist()
    prefix = adam[name]["USUBJID"].str.partition("-")[0].map(sites)
    assert shared["USUBJID"].str.partition("-")[0].tolist() == prefix.tolist()


def test_the_old_patient_is_shown_as_90_and_no_age_is_above(adam, package):
    shared, _ = xpt(package, "adsl")
    assert shared.loc[0, "AGE"] == 90 and shared["AGE"].max() <= 90
    assert "ages recoded: 1." in (package / "README.md").read_text()


@pytest.mark.parametrize("name", DATASETS)
def test_names_labels_and_lengths_are_within_the_v5_limits(package, name):
    _, meta = xpt(package, name)
    assert meta.file_label and len(meta.file_label) <= 40
    assert all(len(c) <= 8 and re.fullmatch(r"[A-Z][A-Z0-9]*", c) for c in meta.column_names)
    assert all(0 < len(label) <= 40 for label in meta.column_labels)
    assert all(width <= 200 for width in meta.variable_storage_width.values())


def test_define_passes_the_define_xml_2_1_schema_and_a_broken_copy_fails(package, tmp_path):
    define.validate(package / "define.xml")  # raises if invalid
    tree = etree.parse(str(package / "define.xml"))
    name = tree.find(".//odm:GlobalVariables/odm:StudyName", NS)
    name.getparent().remove(name)  # ODM requires the study's name
    broken = tmp_path / "define.xml"
    tree.write(str(broken))
    with pytest.raises(DefineSchemaValidationError):
        define.validate(broken)


def test_define_lists_exactly_the_datasets_and_variables_of_the_files(package):
    tree = etree.parse(str(package / "define.xml"))
    items = {i.get("OID"): i for i in tree.iterfind(".//odm:ItemDef", NS)}
    groups = tree.findall(".//odm:ItemGroupDef", NS)
    assert sorted(g.get("Name") for g in groups) == sorted(n.upper() for n in DATASETS)
    assert sorted(p.stem for p in (package / "xpt").glob("*.xpt")) == sorted(DATASETS)
    for group in groups:
        shared, meta = xpt(package, group.get("Name").lower())
        label = group.find("odm:Description/odm:TranslatedText", NS).text
        assert label == meta.file_label
        refs = [items[r.get("ItemOID")] for r in group.iterfind("odm:ItemRef", NS)]
        assert [i.get("Name") for i in refs] == meta.column_names
        for item, column_label in zip(refs, meta.column_labels, strict=True):
            name = item.get("Name")
            assert item.find("odm:Description/odm:TranslatedText", NS).text == column_label
            length = int(item.get("Length"))
            if item.get("DataType") == "text":
                assert meta.readstat_variable_types[name] == "string"
                assert length == meta.variable_storage_width[name], name
            else:
                assert item.get("DataType") in ("integer", "float")
                assert meta.readstat_variable_types[name] == "double"
                values = shared[name].dropna()
                if item.get("DataType") == "integer":
                    assert (values == values.round()).all(), name
                    assert length == max([1, *(len(str(int(abs(v)))) for v in values)]), name
            origin = item.find("def:Origin", NS).get("Type")
            assert origin in ("Collected", "Derived", "Assigned")


def test_every_derived_variable_has_its_derivation_in_define(package):
    tree = etree.parse(str(package / "define.xml"))
    methods = {m.get("OID"): m for m in tree.iterfind(".//odm:MethodDef", NS)}
    items = {i.get("OID"): i for i in tree.iterfind(".//odm:ItemDef", NS)}
    for ref in tree.iterfind(".//odm:ItemRef", NS):
        item = items[ref.get("ItemOID")]
        if item.find("def:Origin", NS).get("Type") == "Derived":
            text = methods[ref.get("MethodOID")].find(".//odm:TranslatedText", NS).text
            assert text.strip(), ref.get("ItemOID")


@pytest.mark.parametrize("name", DATASETS)
def test_dataset_json_passes_the_1_1_schema_and_equals_the_xpt(package, name):
    document = json.loads((package / "json" / f"{name}.json").read_text())
    schema_11 = json.loads((HERE / "dataset.schema.json").read_text())
    jsonschema.Draft201909Validator(schema_11).validate(document)
    shared, meta = xpt(package, name)
    assert [c["name"] for c in document["columns"]] == meta.column_names
    assert [c["label"] for c in document["columns"]] == meta.column_labels
    assert document["records"] == len(document["rows"]) == len(shared)
    rows = pd.DataFrame(document["rows"], columns=meta.column_names)
    for column in meta.column_names:
        if meta.readstat_variable_types[column] == "string":
            assert rows[column].fillna("").tolist() == shared[column].tolist(), column
        else:
            got = rows[column].astype(float).to_numpy()
            assert np.array_equal(got, shared[column].to_numpy(float), equal_nan=True), column


def test_a_broken_dataset_json_fails_the_schema(package):
    document = json.loads((package / "json" / "adsl.json").read_text())
    del document["itemGroupOID"]
    schema_11 = json.loads((HERE / "dataset.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(schema_11).validate(document)


def test_no_value_in_the_package_is_a_calendar_date(package):
    for name in DATASETS:
        shared, _ = xpt(package, name)
        text = shared.select_dtypes(object).stack().astype(str)
        assert not text.str.contains(DATE).any(), name
        rows = json.loads((package / "json" / f"{name}.json").read_text())["rows"]
        assert not any(isinstance(v, str) and DATE.search(v) for row in rows for v in row)
    stamp = "1980-01-01T00:00:00"  # the fixed creation time the standards require
    digest = re.compile(r"\b[0-9a-f]{40,64}\b")  # a hash can look like "5bfb5889"
    for path in ("define.xml", "README.md", "provenance.json", "SHA256SUMS"):
        text = digest.sub("", (package / path).read_text().replace(stamp, ""))
        assert not DATE.search(text), path


def test_checksums_cover_every_file_and_the_zip_holds_them_sorted_and_dated(package):
    listed = {}
    for line in (package / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split("  ")
        listed[path] = digest
    files = {p.relative_to(package).as_posix(): p for p in package.rglob("*") if p.is_file()}
    assert set(listed) == set(files) - {"SHA256SUMS", "package.zip"}
    for path, digest in listed.items():
        assert hashlib.sha256(files[path].read_bytes()).hexdigest() == digest
    provenance = json.loads((package / "provenance.json").read_text())
    for path, digest in provenance["package"]["sha256"].items():
        assert listed[path] == digest
    archive = zipfile.ZipFile(io.BytesIO((package / "package.zip").read_bytes()))
    names = archive.namelist()
    assert names == sorted(names) and len(names) == len(files) - 1
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert archive.read("TESTSTUDY_ipd/define.xml") == files["define.xml"].read_bytes()


def test_the_same_data_give_the_same_bytes(adam, package):
    again = build_package(adam, RUN, SETTINGS, 7)
    for path, content in again.items():
        assert (package / path).read_bytes() == content, path


def test_sites_stay_as_collected_when_recoding_is_off(adam):
    files = build_package(adam, RUN, SETTINGS | {"recode_sites": False}, 7)
    rows = json.loads(files["json/adsl.json"])["rows"]
    assert [r[2] for r in rows] == adam["adsl"]["SITEID"].tolist()
    assert "Site codes are shared as collected" in files["README.md"].decode()


@pytest.mark.parametrize(
    "name, column, value, message",
    [
        ("adae", "AEID", "called GP on 1 May", "free text is not shared"),
        ("adae", "AEID", "2024-05-01", "reads as a calendar date"),
        ("adsl", "SEX", "unknown", "is not a code of its code list"),
        ("adtte", "EVNTDESC", "x" * 201, "at most 200"),
    ],
)
def test_data_that_cannot_be_shared_are_refused_with_a_message(adam, name, column, value, message):
    frames = {n: f.copy() for n, f in adam.items()}
    frames[name][column] = frames[name][column].astype(object)
    frames[name].loc[frames[name].index[1], column] = value
    with pytest.raises(ShareError, match=message) as raised:
        build_package(frames, RUN, SETTINGS, 7)
    assert f"{name.upper()}, variable {column}" in str(raised.value)
    assert "row 2" in str(raised.value)


def test_every_variable_has_a_label_an_origin_and_where_it_comes_from():
    raw = {f"{n}.{c}" for n, model in EXPORTS.items() for c in model.to_schema().columns}
    for name in DATASETS:
        for var in dataset_spec(name).variables:
            assert var.label and len(var.label) <= 40 and len(var.short) <= 8, var.name
            if var.origin == "collected":
                assert var.source in raw, var.name
            else:
                assert var.derivation, var.name
