"""The built-in synthetic trial passes the whole gate at several sizes and seeds."""

import pytest

from sbrtlung import config
from sbrtlung.synthetic.simulate import simulate_trial, write_exports
from sbrtlung.validation.gate import validate_exports

# The deviations the generator makes on purpose; anything else would be a generator bug.
EXPECTED_WARNINGS = {
    "incomplete_course",
    "lab_out_of_window",
    "lab_untreated",
    "missing_analyte",
    "no_follow_up_scan",
    "scan_gap",
    "long_course",
    "progression_untreated",
    # Rare draws of a large trial: an unusual value, a very short course whose end-of-treatment
    # sample (window from 3 days before its end) precedes the baseline sample.
    "value_unusual",
    "lab_unusual",
    "lab_timepoints_out_of_order",
}


@pytest.mark.parametrize(("n_patients", "n_sites", "seed"), [(12, 2, 1), (100, 6, 7), (400, 9, 42)])
def test_generated_exports_pass_the_gate(tmp_path, n_patients, n_sites, seed):
    c = config.load(simulation={"n_patients": n_patients, "n_sites": n_sites})
    write_exports(simulate_trial(c["simulation"], seed), tmp_path)
    tables, findings = validate_exports(tmp_path, c)
    assert not (findings["severity"] == "FATAL").any(), findings.head(10).to_string()
    assert set(findings["rule"]) <= EXPECTED_WARNINGS
    assert len(tables["patients"]) == n_patients
