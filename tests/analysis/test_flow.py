"""Participant flow counts on the hand-built ADaM cohort, and the diagram that shows them."""

import pandas as pd

from sbrtlung.analysis.flow import flow_counts
from sbrtlung.figures.consort import consort_figure


def test_counts_follow_the_populations(hand_built):
    adsl, adles, _, _ = hand_built
    screening = pd.DataFrame(
        {
            "eligible": ["yes"] * 5 + ["no", "no", "yes"],
            "exclusion_reason": [None] * 5 + ["exclusion_met", "declined_consent", None],
            "patient_id": [*adsl["USUBJID"], None, None, None],
        }
    )
    c = flow_counts(screening, adsl, adles)
    assert (c["screened"], c["not_eligible"], c["eligible_not_enrolled"]) == (8, 2, 1)
    assert c["not_eligible_by_reason"] == {
        "inclusion_not_met": 0, "exclusion_met": 1, "declined_consent": 1, "other": 0,
    }  # fmt: skip
    assert (c["enrolled"], c["not_treated"], c["safety"]) == (5, 1, 4)
    # S01-003 has one treated and one untreated nodule; S01-004 (not treated) is not counted.
    assert (c["lesions"], c["lesions_treated"], c["lesions_not_treated"]) == (6, 5, 1)
    assert (c["efficacy"], c["no_follow_up_scan"]) == (3, 1)
    assert c["died"] + c["lost_to_follow_up"] + c["alive_in_follow_up"] == c["safety"]
    texts = " ".join(t.get_text() for t in consort_figure(c).axes[0].texts)
    for number in ("Screened (n = 8)", "Enrolled (n = 5)", "safety set (n = 4)", "n = 3"):
        assert number in texts
