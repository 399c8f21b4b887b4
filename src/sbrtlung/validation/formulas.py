"""Cells a spreadsheet would run as a formula (CSV injection), in one place.

A value that starts with `=`, `@`, a tab or a carriage return, or with `+` or `-` not followed
by a digit, is what Excel and LibreOffice may evaluate when a CSV file is opened (OWASP, "CSV
Injection"). A sign followed by a digit starts a number (`-5`, `-6.3e-05`, `+0.043 (...)`),
which a spreadsheet reads as a number or as text, never as a call. The gate and the REDCap
split refuse such a value in a delivery (no contract field can hold one), and the CSV files
the workflow writes for people to open carry none live.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\.?\d")


def formula_like(text: str) -> bool:
    """Whether a cell could start a spreadsheet formula (a signed number would not)."""
    return text.startswith(FORMULA_START) and not _SIGNED_NUMBER.match(text)


FORMULA_MESSAGE = (
    "starts like a spreadsheet formula (=, +, -, @); no field of the contract holds one. "
    "Correct the value in the source"
)
