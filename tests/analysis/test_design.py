"""The planned sample size, worked out by hand from the normal approximation."""

from pathlib import Path

import pytest

from sbrtlung import config
from sbrtlung.analysis.design import planned_sample_size, sample_size


def test_default_design_by_hand():
    # z_0.95 = 1.6449, z_0.80 = 0.8416; (1.6449 * 0.4 + 0.8416 * 0.3)^2 / 0.1^2
    # = (0.65794 + 0.25249)^2 / 0.01 = 82.89 -> 83 lesions if independent;
    # x 1.05 (1.5 lesions, ICC 0.1) = 87.15 -> 88 lesions; / 1.5 = 58.7 -> 59 patients;
    # / 0.9 for 10% dropout = 65.6 -> 66 patients.
    c = config.load()
    out = planned_sample_size(c["hypothesis"], c["sample_size"])
    assert out["z_alpha"] == pytest.approx(1.644854, abs=1e-6)
    assert out["design_effect"] == pytest.approx(1.05)
    assert [out[k] for k in ("lesions_independent", "lesions", "patients_evaluable")] == [
        83,
        88,
        59,
    ]
    assert out["patients"] == 66


def test_no_clustering_no_dropout_is_the_plain_formula():
    out = sample_size(0.5, 0.7, 0.025, 0.9, m=1, icc=0.5, dropout=0.0)
    # (1.95996 * 0.5 + 1.28155 * 0.45826)^2 / 0.04 = (0.97998 + 0.58728)^2 / 0.04 = 61.41 -> 62
    assert out["lesions_independent"] == out["lesions"] == out["patients"] == 62


def test_the_synthetic_trial_enrols_the_planned_sample_size():
    """The default synthetic trial is the trial the protocol plans: its size follows the
    default design, in the schema's defaults and in config/config.yaml."""
    root = Path(__file__).resolve().parents[2]
    for loaded in (config.load(), config.load(root / "config" / "config.yaml")):
        planned = planned_sample_size(loaded["hypothesis"], loaded["sample_size"])["patients"]
        assert loaded["simulation"]["n_patients"] == planned == 66
