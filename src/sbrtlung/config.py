"""The workflow configuration outside Snakemake: the same JSON schema, the same defaults.

Snakemake validates `config/config.yaml` against `schemas/config.schema.yaml` itself; tests,
benchmarks and command-line tools call `load` so they see exactly the configuration the
workflow would, defaults included.
"""

import copy
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

# Keys holding a date: YAML reads an unquoted 2024-06-30 as a date, the schema wants its text.
DATE_KEYS = ("data_cut", "study_start", "previous_data_cut")
# The study period a real delivery must name (`missing_period`).
PERIOD_KEYS = ("data_cut", "study_start")


def iso_dates(config: dict[str, Any]) -> dict[str, Any]:
    """The config with each date of DATE_KEYS written as ISO text (in place, and returned)."""
    for key in DATE_KEYS:
        if isinstance(config.get(key), dt.date):
            config[key] = config[key].isoformat()
    return config


def missing_period(config: dict[str, Any]) -> str | None:
    """The first of PERIOD_KEYS a real delivery (raw_dir set, CSV or REDCap) leaves unset, as
    one line, or None. Without them dates could only be checked against guesses (the day of the
    run), and a date-shifted export would pass; the synthetic trial has its own period."""
    if not config.get("raw_dir"):
        return None
    for key in PERIOD_KEYS:
        if not config.get(key):
            what = "data cut" if key == "data_cut" else "earliest plausible study date"
            return (
                f"{key} is required for real exports (raw_dir is set): the delivery's {what}, "
                f"YYYY-MM-DD (snakemake --config {key}=YYYY-MM-DD, or the gate's "
                f"--{key.replace('_', '-')} YYYY-MM-DD)"
            )
    return None


def schema() -> dict[str, Any]:
    """The configuration's JSON schema, as shipped in `schemas/`."""
    text = resources.files("sbrtlung.schemas").joinpath("config.schema.yaml").read_text()
    return yaml.safe_load(text)


def _with_defaults(validator_class: type) -> type:
    """A validator that fills each missing property with its schema default, depth first."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def fill(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": fill})


def load(path: str | Path | None = None, **overrides: Any) -> dict[str, Any]:
    """Read a config file (or none), apply top-level overrides, validate and fill defaults."""
    config = yaml.safe_load(Path(path).read_text()) if path else {}
    config = iso_dates({**(config or {}), **overrides})
    _with_defaults(jsonschema.Draft202012Validator)(schema()).validate(config)
    return config


def section(config: dict[str, Any], name: str) -> dict[str, Any]:
    """One section of the config with its properties' defaults filled.

    For a section that has no default of its own (`share`), so that a build that does not
    use it records the same configuration, and the same provenance, as before it existed.
    """
    given = copy.deepcopy(config.get(name) or {})
    _with_defaults(jsonschema.Draft202012Validator)(schema()["properties"][name]).validate(given)
    return given
