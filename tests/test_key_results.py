"""key_results.json: stable JSON, and the words that replace typed verdicts in the paper."""

import json
import math

import pandas as pd

from sbrtlung.key_results import (
    data_source,
    interval_key,
    marker_findings,
    primary_outcome,
    rate_entry,
)
from sbrtlung.reporting.tables import write_json


def test_json_is_plain_sorted_and_has_no_nan(tmp_path):
    import numpy as np

    path = tmp_path / "k.json"
    write_json({"b": np.float64(0.5), "a": [np.int64(3), math.nan], "c": True}, path)
    text = path.read_text()
    assert text == '{\n  "a": [\n    3,\n    null\n  ],\n  "b": 0.5,\n  "c": true\n}\n'
    assert json.loads(text)["a"] == [3, None]


def test_the_decision_interval_is_keyed_by_its_level_and_as_ci_decision():
    assert [interval_key(x) for x in (0.9, 1 - 2 * 0.05, 0.95, 0.975)] == [
        "ci90",
        "ci90",
        "ci95",
        "ci97_5",
    ]
    rates = pd.DataFrame(
        {
            "key": ["lcr"],
            "time": ["2y"],
            "estimate": [0.9],
            "lower95": [0.8],
            "upper95": [0.95],
            "lower_decision": [0.82],
            "upper_decision": [0.94],
            "decision_level": [0.9],
            "n_units": [100],
            "n_events_by_time": [9],
            "ci_method": ["m"],
        }
    )
    entry = rate_entry(rates, "lcr", "2y", decision=True)
    assert entry["ci90"] == entry["ci_decision"] == [0.82, 0.94]
    assert entry["decision_level"] == 0.9 and entry["ci95"] == [0.8, 0.95]
    assert "ci_decision" not in rate_entry(rates, "lcr", "2y")


def test_verdict_words_follow_the_decision():
    assert primary_outcome(True) == {"met": True, "verdict": "was met", "comparison": "exceeded"}
    assert primary_outcome(False)["comparison"] == "did not exceed"
    assert data_source("")["synthetic"] and "synthetic" in data_source("")["note"]
    assert not data_source("/data/cut1")["synthetic"]


def test_marker_findings_lists_baseline_markers_below_the_threshold():
    cox = {
        "OS": {
            "nlr_baseline": {"q": 0.01},
            "crp_baseline": {"q": 0.2},
            "nlr_one_month": {"q": 0.001},  # not a baseline model
            "sii_baseline": {"q": None},
        },
        "PFS": {"nlr_baseline": {"q": 0.051}},
    }
    labels = {"nlr": "NLR", "crp": "CRP", "sii": "SII"}
    found = marker_findings(cox, labels)
    assert found == {
        "threshold": {"kind": "number", "value": 0.05},
        "endpoints": {"OS": "NLR", "PFS": "none"},
        "any": True,
    }
