"""Plausibility limits of every numeric field of the raw exports, declared once as data.

Each field has two ranges. A value outside `low`-`high` cannot be true (FATAL): the data
contract's range of the field (SAP 2), or what is physiologically possible for a lab
analyte. A value inside it but outside `usual_low`-`usual_high` is possible but unusual
(WARN: listed for the data manager to confirm, and analysed). `None` means no limit on that
side. Lab limits are in the analyte's canonical unit (SAP 2.2); a value in another accepted
unit is converted before it is compared. The source of every lab limit is in
docs/data_contract.md.

The export models (`schemas/raw.py`) take their ranges from `FIELDS`, the cross-file rules
(`sbrtlung.validation.checks`) check `usual_*` and `LABS`, and anything that builds a
data-entry form (text validation minimum and maximum) reads these two tables.
"""

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Limits:
    """FATAL outside [low, high]; WARN outside [usual_low, usual_high] (both ends allowed)."""

    low: float | None
    high: float | None
    usual_low: float | None = None
    usual_high: float | None = None

    def bounds(self) -> dict[str, float]:
        """The FATAL range as pandera Field arguments (`ge`, `le`)."""
        pairs = (("ge", self.low), ("le", self.high))
        return {name: value for name, value in pairs if value is not None}


# (export, column) -> limits, for every numeric column but the lab value.
FIELDS = MappingProxyType(
    {
        ("patients", "age"): Limits(18, 100, usual_low=40, usual_high=90),
        ("patients", "ecog"): Limits(0, 2),
        ("patients", "pack_years"): Limits(0, 250, usual_high=150),
        ("patients", "fev1_pct"): Limits(10, 150, usual_high=130),
        ("patients", "dlco_pct"): Limits(10, 150, usual_high=130),
        ("patients", "charlson"): Limits(0, 15, usual_high=10),
        ("lesions", "diameter_mm"): Limits(3, 50, usual_high=45),
        ("lesions", "consolidation_ratio"): Limits(0, 1),
        ("sbrt", "dose_gy"): Limits(20, 70),
        ("sbrt", "fractions_planned"): Limits(1, 10),
        ("sbrt", "fractions_delivered"): Limits(0, 10),
        ("adverse_events", "grade"): Limits(1, 5),
        ("labs", "value"): Limits(0, None),
    }
)

# Analyte -> limits in its canonical unit (schemas/vocabulary.py CANONICAL_UNITS).
LABS = MappingProxyType(
    {
        "wbc": Limits(0, 1000, usual_low=1.0, usual_high=50),
        "neutrophils": Limits(0, 1000, usual_low=0.5, usual_high=50),
        "lymphocytes": Limits(0, 1000, usual_low=0.2, usual_high=20),
        "monocytes": Limits(0, 1000, usual_high=10),
        "platelets": Limits(0, 10000, usual_low=25, usual_high=1000),
        "hemoglobin": Limits(20, 300, usual_low=80, usual_high=200),
        "albumin": Limits(10, 100, usual_low=20, usual_high=60),
        "crp": Limits(0, 1000, usual_high=200),
        "ldh": Limits(0, 100000, usual_low=50, usual_high=1000),
        "cea": Limits(0, 100000, usual_high=500),
        "cyfra21_1": Limits(0, 100000, usual_high=300),
        "nse": Limits(0, 100000, usual_high=1500),
        "scc": Limits(0, 100000, usual_high=150),
        "progrp": Limits(0, 1000000, usual_high=6500),
    }
)
