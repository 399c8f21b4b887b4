"""Study days: the only place where calendar dates become numbers."""

import pandas as pd


def study_day(dates: pd.Series, patient_ids: pd.Series, enrollment: pd.Series) -> pd.Series:
    """Days from the patient's enrollment (day 0) to each date; missing dates stay missing.

    `enrollment` is indexed by patient id; `dates` and `patient_ids` are aligned row by row.
    """
    origin = patient_ids.map(enrollment)
    return (dates - origin).dt.days.astype("Int64")
