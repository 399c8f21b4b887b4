"""Study days: the array form of ADTTE's records is the same count as ADaM's `study_day`."""

import numpy as np
import pandas as pd
import pytest

from sbrtlung.adam.days import study_day, study_days

ENROLLMENT = pd.Series(
    pd.to_datetime(["2022-01-01", "2022-02-28", "2023-12-31"]), index=["P1", "P2", "P3"]
)


def test_study_days_are_study_day_as_integers():
    rng = np.random.default_rng(4)
    ids = pd.Series(rng.choice(ENROLLMENT.index, 50))
    dates = pd.Series(pd.Timestamp("2021-06-01") + pd.to_timedelta(rng.integers(0, 900, 50), "D"))
    expected = study_day(dates, ids, ENROLLMENT).to_numpy("int64")
    assert study_days(dates, ids, ENROLLMENT).tolist() == expected.tolist()
    assert study_days(dates.to_numpy("datetime64[D]"), ids.to_numpy(), ENROLLMENT).dtype == "int64"


@pytest.mark.parametrize(
    "dates, ids",
    [(["2022-03-01", None], ["P1", "P2"]), (["2022-03-01", "2022-03-02"], ["P1", "P9"])],
)
def test_a_missing_date_or_enrollment_is_an_error_not_a_day(dates, ids):
    with pytest.raises(ValueError, match="no date or its patient no enrollment date"):
        study_days(pd.Series(pd.to_datetime(dates)), pd.Series(ids), ENROLLMENT)
