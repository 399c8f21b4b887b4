"""Cells a spreadsheet would run as a formula (CSV injection), in one place.

A value that starts with `=`, `@`, a tab or a carriage return, or with `+` or `-` and is not a
plain number, is what Excel and LibreOffice evaluate when a CSV file is opened (OWASP, "CSV
Injection"). The gate and the REDCap split refuse such a value in a delivery (no contract field
can hold one), and the CSV files the workflow writes for people to open carry none live.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-](\d+(\.\d*)?|\.\d+)")


def formula_like(text: str) -> bool:
    """Whether a cell would start a spreadsheet formula (a signed plain number would not)."""
    return text.startswith(FORMULA_START) and not _SIGNED_NUMBER.fullmatch(text)


FORMULA_MESSAGE = (
    "starts like a spreadsheet formula (=, +, -, @); no field of the contract holds one. "
    "Correct the value in the source"
)
