"""The eCRF follows the contract: every column carried once, types, limits, codes, labels,
branching from the gate's rules, and a version that changes with the contract."""

from dataclasses import replace

import pandera.pandas as pa

from sbrtlung.redcap import ecrf, metadata
from sbrtlung.schemas import vocabulary as v
from sbrtlung.schemas.labels import CODE_LABELS, COLUMN_LABELS
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.validation.checks import RULES


def test_every_contract_column_is_named_by_exactly_one_annotation():
    named = [column for f in ecrf.fields() for column in f.columns]
    expected = [(stem, c) for stem, model in EXPORTS.items() for c in model.to_schema().columns]
    assert sorted(named) == sorted(expected)
    words = [w for f in ecrf.fields() for w in metadata.row(f)["Field Annotation"].split()]
    annotated = [w.removeprefix("@SBRTLUNG=") for w in words if w.startswith("@SBRTLUNG=")]
    assert sorted(annotated) == sorted(f"{stem}.{column}" for stem, column in expected)


def test_names_separate_columns_that_share_a_name():
    assert ecrf.field_name("sbrt", "end_date") == "rt_end_date"
    assert ecrf.field_name("adverse_events", "end_date") == "ae_end_date"
    assert ecrf.field_name("adverse_events", "ae_id") == "ae_id"
    assert ecrf.field_name("labs", "patient_id") == "scr_patient_id"
    assert ecrf.field_name("patients", "site_id") == "scr_site_id"
    assert ecrf.field_name("screening", "screening_id") == ecrf.RECORD_ID


def test_types_ranges_and_required_follow_the_models():
    fields = ecrf.by_name()
    assert (fields["pt_age"].validation, fields["pt_age"].minimum, fields["pt_age"].maximum) == (
        "integer",
        "18",
        "100",
    )
    assert fields["les_consolidation_ratio"].validation == "number"
    assert (
        fields["les_consolidation_ratio"].minimum,
        fields["les_consolidation_ratio"].maximum,
    ) == (
        "0",
        "1",
    )
    assert fields["rt_start_date"].validation == "date_ymd"
    assert fields["pt_fev1_pct"].required is False and fields["pt_age"].required is True
    assert fields["ae_end_date"].required is False
    # nullable in the contract but required whenever REDCap shows it
    assert fields["fu_death_date"].required and fields["fu_death_date"].branching
    assert fields["scr_patient_id"].required is False


def test_limits_are_read_from_any_check_with_bounds_and_skip_warnings():
    column = pa.Column(
        float,
        checks=[
            pa.Check.in_range(0, 500),
            pa.Check.ge(2),
            pa.Check.le(30, raise_warning=True),  # a plausibility warning is not a limit
        ],
    )
    assert ecrf._limits(column, integer=False) == ("2", "500")
    assert ecrf._limits(pa.Column(float, checks=[pa.Check.gt(0.5)]), integer=False) == ("0.5", "")


def test_choices_are_the_vocabulary_with_its_labels():
    fields = ecrf.by_name()
    assert fields["pt_sex"].choices == (("female", "Female"), ("male", "Male"))
    assert fields["lab_analyte"].field_type == "dropdown"
    assert fields["scr_eligible"].field_type == "radio"
    units = fields["lab_unit"]
    assert set(units.codes.values()) == set(v.ALL_UNITS)
    assert units.codes["10e9_per_l"] == "10^9/L" and units.codes["per_ul"] == "/uL"
    for f in ecrf.fields():
        labels = [label for _, label in f.choices]
        assert len(set(labels)) == len(labels), f.name
        assert not set(labels) & set(f.codes), f.name  # a label export is always recognisable


def test_every_code_and_column_has_a_label():
    codes = {code for f in ecrf.fields() for code in f.contract_codes}
    assert codes <= set(CODE_LABELS)
    for stem, model in EXPORTS.items():
        assert set(model.to_schema().columns) == set(COLUMN_LABELS[stem])
    text = metadata.render()
    assert text.isascii()


def test_branching_mirrors_rules_of_the_gate():
    ids = {rule.id for rule in RULES}
    assert {rule for *_, rule in ecrf.BRANCHING.values()} <= ids
    assert ecrf.by_name()["scr_exclusion_reason"].branching == "[scr_eligible] = 'no'"
    assert ecrf.by_name()["img_confirmation"].branching == "[img_local_status] = 'failure'"


def test_version_is_on_the_record_id_and_changes_with_the_structure_only(monkeypatch):
    annotation = metadata.row(ecrf.fields()[0])["Field Annotation"]
    assert annotation.endswith(f"@SBRTLUNG-VERSION={ecrf.version()}")
    original = ecrf.fields()

    def version_of(fields):
        monkeypatch.setattr(ecrf, "fields", lambda: fields)
        ecrf.version.cache_clear()
        return ecrf.version()

    try:
        before = version_of(original)
        assert version_of(tuple(replace(f, label="x", note="y") for f in original)) == before
        wider = tuple(replace(f, maximum="120") if f.name == "pt_age" else f for f in original)
        assert version_of(wider) != before
    finally:
        ecrf.version.cache_clear()


def test_repeating_instruments_file():
    lines = metadata.render_repeating().splitlines()
    assert lines[0] == "form_name,custom_form_label"
    assert [line.split(",")[0] for line in lines[1:]] == list(ecrf.REPEATING)
