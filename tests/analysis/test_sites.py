"""SAP 1.2d: DerSimonian-Laird I^2 and tau^2 by hand, and the site table."""

import numpy as np
import pandas as pd
import pytest

from sbrtlung.analysis.sites import dersimonian_laird, sites


def test_dersimonian_laird_by_hand_on_three_sites():
    y, v = np.array([0.2, -0.4, 1.0]), np.array([0.04, 0.09, 0.25])
    w = np.array([25.0, 1 / 0.09, 4.0])  # 1 / v
    mean = (25 * 0.2 + (1 / 0.09) * -0.4 + 4 * 1.0) / (25 + 1 / 0.09 + 4)
    q = 25 * (0.2 - mean) ** 2 + (1 / 0.09) * (-0.4 - mean) ** 2 + 4 * (1.0 - mean) ** 2
    c = w.sum() - (w**2).sum() / w.sum()
    out = dersimonian_laird(y, v)
    assert out["q"] == pytest.approx(q, rel=1e-12)
    assert out["i2"] == pytest.approx((q - 2) / q, rel=1e-12)
    assert out["tau2"] == pytest.approx((q - 2) / c, rel=1e-12)
    same = dersimonian_laird(np.array([0.1, 0.1, 0.1]), v)
    assert same["i2"] == 0 and same["tau2"] == 0
    assert np.isnan(dersimonian_laird(np.array([0.1]), np.array([0.1]))["i2"])


def test_sites_are_ordered_by_size_and_a_site_without_failure_is_named():
    rng = np.random.default_rng(3)
    patients = [f"S0{s}-{k:03d}" for s, n in ((1, 30), (2, 40), (3, 10)) for k in range(n)]
    site = [p[:3] for p in patients]
    time = rng.integers(100, 1200, len(patients)).astype(int)
    status = np.where(time < 730, rng.choice([0, 1, 2], len(patients), p=[0.3, 0.5, 0.2]), 0)
    status[[s == "S03" for s in site]] = 0  # no failure at site 3
    adtte = pd.DataFrame(
        {"USUBJID": patients, "LESID": "L1", "PARAMCD": "LF", "AVAL": time, "EVNT": status}
    )
    adsl = pd.DataFrame({"USUBJID": patients, "SITEID": site, "SAFFL": True})
    table, het = sites(adtte, adsl, 730.5)
    assert list(table["site"]) == ["S02", "S01", "S03", "pooled"]
    assert het["excluded"] == ["S03"] and het["k"] == 2
    assert table.iloc[2]["estimate"] == 1.0
    n = int((adtte.loc[[s == "S03" for s in site], "AVAL"] >= 730.5).sum())
    assert table.iloc[2]["ci95_low"] == pytest.approx(0.025 ** (1 / n))
    assert table.iloc[-1]["nodules"] == len(patients)
