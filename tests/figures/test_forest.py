"""Forest figures of amendment 1.2: they render byte-reproducibly and print what they show."""

import numpy as np
import pandas as pd
import pytest

from sbrtlung.figures import forest, style
from sbrtlung.study import Horizon

HORIZON = Horizon(730.5, 365.25, 30.4375)

NAN = np.nan


def sensitivity() -> pd.DataFrame:
    rows = [
        ("primary", 60, 4, 0.92, 0.81, 0.97, 0.83, "yes"),
        ("efficacy_set", 58, 4, 0.91, 0.80, 0.97, 0.82, "yes"),
        ("per_protocol", 0, 0, NAN, NAN, NAN, NAN, "not estimable"),
    ]
    columns = ["analysis", "nodules", "failures", "estimate", "ci95_low", "ci95_high"]
    return pd.DataFrame(rows, columns=[*columns, "decision_low", "success"])


def texts(figure) -> list[str]:
    return [t.get_text() for ax in figure.axes for t in ax.texts]


def test_sensitivity_forest_prints_each_row_and_the_null(tmp_path):
    figure = forest.forest_figure("sensitivity", sensitivity(), 0.8, HORIZON)
    shown = texts(figure)
    assert "92.0% (81.0–97.0)" in shown and forest.NOT_ESTIMABLE in shown
    assert "H0 80%" in shown
    assert figure.axes[0].get_xlabel() == "2-year local control per nodule (95% CI)"
    three = forest.forest_figure(
        "sensitivity", sensitivity(), 0.8, Horizon(1095.75, 365.25, 30.4375)
    )
    assert three.axes[0].get_xlabel() == "3-year local control per nodule (95% CI)"
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[0].startswith("Primary")  # the primary first, at the top
    first = style.save(figure, tmp_path / "a")
    second = style.save(
        forest.forest_figure("sensitivity", sensitivity(), 0.8, HORIZON), tmp_path / "b"
    )
    for x, y in zip(first, second, strict=True):
        assert x.read_bytes() == y.read_bytes()


def test_sites_and_subgroups_forests():
    sites = pd.DataFrame(
        {
            "site": ["S02", "S01", "pooled"],
            "patients": [10, 8, 18],
            "nodules": [14, 9, 23],
            "failures": [2, 0, 2],
            "estimate": [0.85, 1.0, 0.9],
            "ci95_low": [0.6, 0.7, 0.75],
            "ci95_high": [0.95, 1.0, 0.96],
        }
    )
    figure = forest.forest_figure("sites", sites, 0.8, HORIZON)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == ["Site S02", "Site S01", "All sites"]
    sub = pd.DataFrame(
        {
            "factor": ["location", "location"],
            "level": ["peripheral", "central"],
            "nodules": [20, 5],
            "failures": [2, 1],
            "estimate": [0.9, 0.8],
            "ci95_low": [0.7, 0.3],
            "ci95_high": [0.97, 0.97],
            "hr": [NAN, 2.1],
            "hr_ci95_low": [NAN, 0.4],
            "hr_ci95_high": [NAN, 11.0],
            "p": [NAN, 0.4],
        }
    )
    shown = texts(forest.forest_figure("subgroups", sub, 0.8, HORIZON))
    assert "2.10 (0.40–11.00)" in shown
    with pytest.raises(ValueError):
        forest.forest_figure("other", sub, 0.8, HORIZON)
