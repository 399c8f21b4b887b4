"""The copy editor's checks of the rendered HTML (sbrtlung.manuscript.typography): each fails on
its fault and passes the paper's own typography."""

import pytest

from sbrtlung.manuscript.typography import problems, visible_blocks

GOOD = (
    "<html><head><title>x</title><style>p>a{}</style></head><body>"
    "<p>Events occurred in 57 patients (57.6%, 95% CI 47.2\u201367.5) of grade \u22653.</p>"
    "<table><tr><td>+0.012 (\u22120.004 to 0.027)</td><td>CYFRA 21-1</td>"
    "<td>S01-004</td></tr></table>"
    "<p>The data supplement marker_cox.csv; the rule <code>scan_gap</code> on "
    "<code>patient_id</code>; log(\u2212log) intervals; p &lt;0.001.</p>"
    "</body></html>"
)


def test_the_papers_typography_passes():
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("fault", "found"),
    [
        ("<p>57 patients (57.6% (95% CI 47.2\u201367.5))</p>", "nested brackets"),
        ("<p>was 92.4% (95% CI 85.8\u201396.0) (Table 4)</p>", "adjacent brackets ') ('"),
        ("<td>Grade &gt;= 3</td>", "ASCII comparison '>='"),
        ("<p>q &lt;= 0.05</p>", "ASCII comparison '<='"),
        ("<td>\u22120.038 (-0.136 to 0.036)</td>", "hyphen as minus '-0'"),
        ("<p>days -28 to 0</p>", "hyphen as minus '-2'"),
        ("<td>75.0 (67.5-78.0)</td>", "hyphen as range dash '67.5-7'"),
        ("<p>predictor wbc_change_end_of_treatment</p>", "code name 'wbc_change_end_of_treatment'"),
        ("<p>LFPT none</p>", "code name 'LFPT'"),
        ("<td>SAFFL</td>", "code name 'SAFFL'"),
    ],
)
def test_each_fault_is_found(fault, found):
    html = GOOD.replace("</body>", fault + "</body>")
    reported = problems(html)
    assert len(reported) == 1 and reported[0].startswith(found), reported


def test_visible_text_is_read_block_by_block():
    blocks = visible_blocks("<p>One <em>two</em></p><table><tr><td>three</td></tr></table>")
    assert blocks == ["One two", "three"]
