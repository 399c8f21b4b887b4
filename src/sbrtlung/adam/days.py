"""Study days: the only place where calendar dates become numbers."""

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike


def study_day(dates: pd.Series, patient_ids: pd.Series, enrollment: pd.Series) -> pd.Series:
    """Days from the patient's enrollment (day 0) to each date; missing dates stay missing.

    `enrollment` is indexed by patient id; `dates` and `patient_ids` are aligned row by row.
    """
    origin = patient_ids.map(enrollment)
    return (dates - origin).dt.days.astype("Int64")


def study_days(dates: ArrayLike, patient_ids: ArrayLike, enrollment: pd.Series) -> np.ndarray:
    """`study_day` as an int64 array, for dates that must all be there (the dated records of
    ADTTE, thousands of times in the simulation study): a missing date or a patient without
    an enrollment date is an error."""
    position = enrollment.index.get_indexer(np.asarray(patient_ids, dtype=object))
    origin = enrollment.to_numpy("datetime64[D]")[position]
    day = np.asarray(dates, dtype="datetime64[D]")
    if (position < 0).any() or np.isnat(origin).any() or np.isnat(day).any():
        raise ValueError("a dated record has no date or its patient no enrollment date")
    return (day - origin).astype(np.int64)
