"""The reference DOCX of the submission, made by code: pandoc's own reference document with an
A4 page, 2.5 cm margins and continuous line numbers.

Journals review DOCX manuscripts by page and line. pandoc takes page size, margins and line
numbering from the section properties (`w:sectPr`) of its reference document; the default one
sets none, so Word falls back to Letter and no line numbers. This module rewrites that
element of pandoc's default reference document (`pandoc --print-default-data-file
reference.docx`, the pinned pandoc's own) and zips it with fixed timestamps, so the same pandoc
gives the same bytes, and no binary file of unknown origin is kept in the repository.
"""

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypandoc

# A4 in twentieths of a point (210 x 297 mm), 2.5 cm margins, header and footer at 1.25 cm.
SECTION_ELEMENT = re.compile(r"<w:sectPr>.*?</w:sectPr>", re.S)
SECTION = (
    "<w:sectPr>"
    '<w:footnotePr><w:numRestart w:val="eachSect" /></w:footnotePr>'
    '<w:pgSz w:w="11906" w:h="16838" />'
    '<w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="709" '
    'w:footer="709" w:gutter="0" />'
    '<w:lnNumType w:countBy="1" w:distance="284" w:restart="continuous" />'
    "</w:sectPr>"
)
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP entry can carry


def _default_reference() -> bytes:
    done = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    )
    return done.stdout


def reference_docx(path: str | Path) -> Path:
    """Write the reference DOCX (A4, margins, continuous line numbers) to `path`."""
    source = zipfile.ZipFile(io.BytesIO(_default_reference()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                text, count = SECTION_ELEMENT.subn(SECTION, data.decode())
                if count != 1:
                    raise ValueError("pandoc's reference.docx has no single w:sectPr to replace")
                data = text.encode()
            target.writestr(zipfile.ZipInfo(name, EPOCH), data, zipfile.ZIP_DEFLATED)
    Path(path).write_bytes(buffer.getvalue())
    return Path(path)
