"""Fixtures shared by the test packages."""

import pytest

from tests.adam.cohort import hand_built as build_hand_cohort


@pytest.fixture(scope="module")
def hand_built():
    """The hand-built cohort of `tests.adam.cohort.hand_built`: (ADSL, ADLES, ADTTE, tables)."""
    return build_hand_cohort()
