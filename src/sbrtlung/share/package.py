"""The whole package: de-identified datasets as XPT and Dataset-JSON, define.xml and
define.html, a README, provenance with checksums, SHA256SUMS and one zip of it all.

`build_package` returns every file as bytes by its path in the package, so that the same
inputs give the same bytes (no build time anywhere; the zip's entries are sorted and dated
`STAMP`). `write_package` writes them.
"""

import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from . import define
from .dataset_json import STAMP, dataset_json, dumps
from .deidentify import AGE_CAP, deidentify
from .metadata import DatasetSpec, dataset_spec, shared_frame
from .readme import readme
from .xpt import write_xpt

DATASETS = ("adsl", "adles", "adtte", "adae", "adlb")
ZIP = "package.zip"
ZIP_TIME = dt.datetime.fromisoformat(STAMP).timetuple()[:6]
# Of the run's provenance record, what the package keeps: not the config, which may hold
# calendar dates (data_cut, study_start), only its hash.
PROVENANCE_KEYS = ("inputs", "config_sha256", "packages", "python", "git")
SHARE_PACKAGES = ("pyreadstat", "odmlib", "defineutils")


def sha256sums(files: dict[str, bytes]) -> bytes:
    """`sha256sum -c` input: one line per file, sorted by path."""
    lines = [f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in sorted(files)]
    return "".join(lines).encode()


def zipped(files: dict[str, bytes], folder: str) -> bytes:
    """A zip of the files under `folder/`, sorted, every entry dated STAMP with mode 644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(f"{folder}/{path}", date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o100644 << 16
            entry.create_system = 3  # Unix, whatever the system that builds
            archive.writestr(entry, files[path])
    return buffer.getvalue()


def _files_of_datasets(
    frames: dict[str, pd.DataFrame], specs: dict[str, DatasetSpec], studyid: str
) -> dict[str, bytes]:
    """XPT and Dataset-JSON of each dataset, define.xml (checked against its schema) and
    define.html, through a scratch folder: pyreadstat and defineutils write files."""
    files = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, spec in specs.items():
            path = Path(scratch) / f"{spec.file}.xpt"
            write_xpt(frames[name], spec, path)
            files[f"xpt/{spec.file}.xpt"] = path.read_bytes()
            document = dataset_json(frames[name], spec, studyid, originator="sbrtlung")
            files[f"json/{spec.file}.json"] = dumps(document)
        xml = Path(scratch) / "define.xml"
        odm = define.define_document(frames, specs, studyid)
        odm.write_xml(str(xml))
        tree = etree.parse(str(xml))
        xml.write_bytes(
            etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8")
        )
        define.validate(xml)
        html = Path(scratch) / "define.html"
        define.write_html(xml, html)
        files["define.xml"] = xml.read_bytes()
        files["define.html"] = html.read_bytes()
    return files


def build_package(
    adam: dict[str, pd.DataFrame], run: dict[str, Any], settings: dict[str, Any], seed: int
) -> dict[str, bytes]:
    """Every file of the package by its path in `results/share/`.

    `adam`: the five datasets keyed `adsl`, ...; `run`: the run's provenance record;
    `settings`: the config's `share` section with its defaults; `seed`: the config's seed,
    for the site codes when `settings["site_seed"]` is null.
    """
    specs = {name: dataset_spec(name) for name in DATASETS}
    site_seed = settings["site_seed"] if settings["site_seed"] is not None else seed
    done = deidentify({n: adam[n] for n in DATASETS}, specs, settings["recode_sites"], site_seed)
    studyid = settings["studyid"]
    frames = {n: shared_frame(done.frames[n], specs[n], studyid) for n in DATASETS}
    files = _files_of_datasets(frames, specs, studyid)
    files["README.md"] = readme(frames, specs, done, settings, AGE_CAP).encode()
    provenance = {key: run[key] for key in PROVENANCE_KEYS}
    provenance["packages"] = provenance["packages"] | {p: version(p) for p in SHARE_PACKAGES}
    provenance["package"] = {
        "studyid": studyid,
        "recode_sites": settings["recode_sites"],
        "sha256": {p: hashlib.sha256(files[p]).hexdigest() for p in sorted(files)},
    }
    text = json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    files["provenance.json"] = text.encode()
    files["SHA256SUMS"] = sha256sums(files)
    files[ZIP] = zipped(files, f"{studyid}_ipd")
    return files


def write_package(files: dict[str, bytes], folder: str | Path) -> None:
    """Write the package's files under `folder`."""
    for path, content in files.items():
        target = Path(folder) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
