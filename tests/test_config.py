"""The configuration outside Snakemake: a section without a default of its own."""

import jsonschema
import pytest

from sbrtlung import config


def test_the_share_section_is_filled_only_when_asked_for():
    """A build that does not share records the configuration it recorded before: no
    `share` key; the package gets the section with its defaults."""
    loaded = config.load()
    assert "share" not in loaded
    assert config.section(loaded, "share") == {
        "studyid": "SBRTLUNG",
        "recode_sites": True,
        "site_seed": None,
    }
    given = {"share": {"recode_sites": False}}
    assert config.section(given, "share")["recode_sites"] is False
    assert given == {"share": {"recode_sites": False}}  # not filled in place


def test_a_share_setting_outside_the_schema_is_refused():
    with pytest.raises(jsonschema.ValidationError):
        config.section({"share": {"studyid": "has spaces"}}, "share")
