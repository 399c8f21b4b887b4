"""define.xml (Define-XML 2.1, built with odmlib) and define.html (defineutils' stylesheet).

Every dataset and variable of the package with its type, length, label, code list and
origin: collected (the CRF export column it comes from), derived (with its derivation, a
MethodDef) or assigned (STUDYID). The document is checked against the Define-XML 2.1 schema
(`validate`), which proves its structure, not that the datasets follow the ADaM model.
"""

from pathlib import Path

import odmlib.define_2_1.model as DEFINE
import pandas as pd
from defineutils.definehtml import DefineHtml
from defineutils.validate import DefineSchemaValidator

from .dataset_json import STAMP, item_oid
from .metadata import DatasetSpec, Variable, digits, text_length

# The ADaM class each dataset is declared under (Define-XML's def:Class).
CLASSES = {
    "ADSL": "SUBJECT LEVEL ANALYSIS DATASET",
    "ADLES": "ADAM OTHER",
    "ADTTE": "BASIC DATA STRUCTURE",
    "ADAE": "OCCURRENCE DATA STRUCTURE",
    "ADLB": "BASIC DATA STRUCTURE",
}
_DATA_TYPES = {"text": "text", "integer": "integer", "float": "float"}


def _text(text: str) -> DEFINE.Description:
    return DEFINE.Description(TranslatedText=[DEFINE.TranslatedText(_content=text, lang="en")])


def _codelist_oid(spec: DatasetSpec, var: Variable) -> str:
    return "CL.NY" if var.flag else f"CL.{spec.name}.{var.short}"


def _item(spec: DatasetSpec, var: Variable, values: pd.Series) -> DEFINE.ItemDef:
    item = DEFINE.ItemDef(
        OID=item_oid(spec, var.short),
        Name=var.short,
        DataType=_DATA_TYPES[var.kind],
        SASFieldName=var.short,
        Description=_text(var.label),
    )
    if var.kind == "text":
        item.Length = text_length(values)
    else:
        item.Length, decimals = digits(values)
        if var.kind == "float":
            item.SignificantDigits = decimals
    if var.codes is not None or (var.kind == "text" and not var.identifier):
        item.CodeListRef = DEFINE.CodeListRef(CodeListOID=_codelist_oid(spec, var))
    if var.origin == "collected":
        item.Origin = [
            DEFINE.Origin(
                Type="Collected",
                Source="Investigator",
                Description=_text(f"CRF export column {var.source}"),
            )
        ]
    elif var.origin == "assigned":
        item.Origin = [DEFINE.Origin(Type="Assigned", Source="Sponsor")]
    else:
        item.Origin = [DEFINE.Origin(Type="Derived")]
    return item


def _codelist(spec: DatasetSpec, var: Variable, values: pd.Series) -> DEFINE.CodeList:
    """The code list of a variable: its schema's codes, or (a text the program writes) the
    values it takes."""
    codes = var.codes if var.codes is not None else sorted(set(values.dropna()))
    data_type = "integer" if var.kind == "integer" else "text"
    return DEFINE.CodeList(
        OID=_codelist_oid(spec, var),
        Name=f"{spec.name}.{var.short}" if not var.flag else "No Yes Response",
        DataType=data_type,
        EnumeratedItem=[
            DEFINE.EnumeratedItem(CodedValue=str(code), OrderNumber=rank)
            for rank, code in enumerate(codes, start=1)
        ],
    )


def _method(spec: DatasetSpec, var: Variable) -> DEFINE.MethodDef:
    return DEFINE.MethodDef(
        OID=f"MT.{spec.name}.{var.short}",
        Name=f"Derivation of {spec.name}.{var.short}",
        Type="Computation",
        Description=_text(var.derivation),
    )


def define_document(frames: dict[str, pd.DataFrame], specs: dict[str, DatasetSpec], studyid: str):
    """The Define-XML 2.1 document (an odmlib ODM) of the shared frames, keyed as `specs`."""
    groups, items, codelists, methods = [], [], {}, []
    for key, spec in specs.items():
        frame = frames[key]
        refs = []
        for order, var in enumerate(spec.variables, start=1):
            values = frame[var.short]
            items.append(_item(spec, var, values))
            ref = DEFINE.ItemRef(
                ItemOID=item_oid(spec, var.short),
                OrderNumber=order,
                Mandatory="Yes" if var.mandatory else "No",
            )
            if var.short in spec.keys:
                ref.KeySequence = spec.keys.index(var.short) + 1
            if var.origin == "derived":
                ref.MethodOID = f"MT.{spec.name}.{var.short}"
                methods.append(_method(spec, var))
            refs.append(ref)
            if var.codes is not None or (var.kind == "text" and not var.identifier):
                codelist = _codelist(spec, var, values)
                codelists.setdefault(codelist.OID, codelist)
        groups.append(
            DEFINE.ItemGroupDef(
                OID=f"IG.{spec.name}",
                Name=spec.name,
                Repeating="No" if spec.name == "ADSL" else "Yes",
                IsReferenceData="No",
                SASDatasetName=spec.name,
                Purpose="Analysis",
                Structure=spec.structure,
                IsNonStandard="Yes",
                ArchiveLocationID=f"LF.{spec.name}",
                Description=_text(spec.label),
                ItemRef=refs,
                Class=DEFINE.Class(Name=CLASSES[spec.name]),
                leaf=DEFINE.leaf(
                    ID=f"LF.{spec.name}",
                    href=f"xpt/{spec.file}.xpt",
                    title=DEFINE.title(_content=f"{spec.file}.xpt"),
                ),
            )
        )
    version = DEFINE.MetaDataVersion(
        OID="MDV.1",
        Name=f"{studyid} shared analysis datasets",
        Description="ADaM-style analysis datasets shared as individual patient data",
        DefineVersion="2.1.0",
        ItemGroupDef=groups,
        ItemDef=items,
        CodeList=[codelists[oid] for oid in sorted(codelists)],
        MethodDef=methods,
    )
    return DEFINE.ODM(
        FileOID=f"{studyid}.define",
        FileType="Snapshot",
        CreationDateTime=STAMP,
        ODMVersion="1.3.2",
        Originator="sbrtlung",
        SourceSystem="sbrtlung",
        Context="Other",
        Study=DEFINE.Study(
            OID=studyid,
            GlobalVariables=DEFINE.GlobalVariables(
                StudyName=DEFINE.StudyName(_content=studyid),
                StudyDescription=DEFINE.StudyDescription(
                    _content="SBRT for residual malignant lung nodules after surgery"
                ),
                ProtocolName=DEFINE.ProtocolName(_content=studyid),
            ),
            MetaDataVersion=version,
        ),
    )


def validate(path: str | Path) -> None:
    """Check a define.xml against the Define-XML 2.1 schema (raises DefineSchemaValidationError;
    defineutils' command line exits 0 even on an invalid file, so it is called from here)."""
    DefineSchemaValidator(Path(path)).validate_define_file()


def write_html(define_xml: str | Path, html: str | Path) -> None:
    """define.html from define.xml with the Define-XML 2.1 stylesheet; an error if the
    transformation gave nothing (defineutils then returns without a word)."""
    DefineHtml(Path(define_xml)).transform_to_html_file(Path(html))
    if not Path(html).is_file() or Path(html).stat().st_size == 0:
        raise RuntimeError(f"the stylesheet made no define.html from {define_xml}")
