"""The checklists of the supplement (sbrtlung.reporting.checklists) from assembled key
results: CONSORT 2025 item numbers, answers from the numbers, words instead of codes."""

import re

from sbrtlung.reporting import checklists
from sbrtlung.reporting.key_results import assemble

from .test_key_results import assemble_inputs


def results() -> dict:
    return assemble(**assemble_inputs())


def test_consort_2025_items_answer_from_the_results():
    k = results()
    table = checklists.consort(k).set_index("Item")
    assert list(table.index) == ["2", "4", "5a", "5b", "10", "16a", "22a", "22b", "24a", "25",
                                 "26", "27", "28"]  # fmt: skip
    assert "screened 5; enrolled 4; treated (safety set) 3" in table.loc["22a", "Reported"]
    assert "declined consent 1" in table.loc["22b", "Reported"]
    assert "66 patients planned" in table.loc["16a", "Reported"]
    assert "4 enrolled" in table.loc["16a", "Reported"]
    assert table.loc["27", "Reported"].endswith("; no grade 5 event")
    assert "grade 3 or higher 1 (33.3%)" in table.loc["27", "Reported"]
    assert table.loc["2", "Reported"].startswith("Not applicable")  # a synthetic build
    assert "two-sided 90% CI" in table.loc["26", "Reported"]


def test_remark_and_tripod_name_endpoints_in_words():
    k = results()
    remark = checklists.remark(k).set_index("Item")
    assert (
        "overall survival: Neutrophil-to-lymphocyte ratio (NLR)"
        in remark.loc["Multiplicity", "Reported"]
    )
    tripod = checklists.tripod(k)
    discrimination = tripod[tripod["Item"] == "Discrimination"].iloc[0]
    assert discrimination["Asks for"] == "Progression-free survival, clinical"
    assert discrimination["Reported"] == (
        "Harrell's C 0.610 (2.5th\u201397.5th percentile over repeats 0.550\u20130.660)"
    )


def test_markdown_labels_each_checklist_and_shows_no_code():
    text = checklists.checklists_markdown(results())
    for label in ("tbl-consort", "tbl-remark-checklist", "tbl-tripod-checklist"):
        assert f"{{#{label}}}" in text
    assert "CONSORT 2025" in text and "2010" not in text
    assert not re.search(r"\bLFPT\b|\b[a-z]+_[a-z_]+\b", text)
