"""The vocabulary's one definition of a treated course."""

import numpy as np
import pandas as pd

from sbrtlung.schemas.vocabulary import treated


def test_a_course_is_treated_when_it_delivered_a_fraction():
    counts = pd.Series([0, 1, 5, None], dtype="Int64")
    assert treated(counts).tolist() == [False, True, True, pd.NA]
    assert treated(np.array([0, 3])).tolist() == [False, True]
