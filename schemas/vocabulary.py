"""Controlled vocabulary of the raw exports: every code list and unit of the data contract,
what makes a course a treatment, and how a lab value is brought to its canonical unit.

Written once here and imported by the export schemas, the cross-file rules, the synthetic
trial generator and the derivations, so that a code can never be spelled two ways.
"""

from types import MappingProxyType
from typing import TypeVar

import numpy as np
import pandas as pd

Counts = TypeVar("Counts")

YES_NO = ("yes", "no")
EXCLUSION_REASONS = ("inclusion_not_met", "exclusion_met", "declined_consent", "other")
SEXES = ("female", "male")
SMOKING = ("never", "former", "current")
SURGERY_TYPES = ("lobectomy", "segmentectomy", "wedge", "bilobectomy", "pneumonectomy")
PRIMARY_HISTOLOGIES = ("adenocarcinoma", "squamous", "other")
PRIMARY_PSTAGES = ("ia1", "ia2", "ia3", "ib", "iia", "iib", "iiia")
INOPERABLE_REASONS = ("pulmonary_function", "comorbidity", "multiple_nodules", "refusal", "other")

LESION_IDS = tuple(f"L{i}" for i in range(1, 10))
LOBES = ("rul", "rml", "rll", "lul", "lll")
LESION_LOCATIONS = ("peripheral", "central")
LESION_DIAGNOSES = ("pathological", "clinical")
LESION_HISTOLOGIES = ("adenocarcinoma", "squamous", "other", "unknown")

TECHNIQUES = ("vmat", "imrt", "3dcrt", "robotic")


def treated(fractions_delivered: Counts) -> Counts:
    """SAP 3: a course treats its lesion when it delivered at least one fraction (ADLES.TRTFL);
    a patient with a treated lesion is in the safety set. Element-wise on a pandas Series
    (a missing count stays missing, for the caller to judge) or a numpy array."""
    return fractions_delivered > 0


MODALITIES = ("ct", "pet_ct")
LOCAL_STATUSES = ("controlled", "failure", "not_evaluable")
LOCAL_CONFIRMATIONS = ("ct", "pet", "biopsy")

PROGRESSION_SITES = ("regional", "distant")
PROGRESSION_LOCATIONS = (
    "hilar_node",
    "mediastinal_node",
    "supraclavicular_node",
    "other_lobe",
    "contralateral_lung",
    "pleura",
    "brain",
    "bone",
    "liver",
    "adrenal",
    "other",
)
PROGRESSION_CONFIRMATIONS = ("ct", "pet", "mri", "biopsy")

# The project's CTCAE v5.0 term table (SAP 2: at least these terms).
CTCAE_TERMS = (
    "pneumonitis",
    "pulmonary_fibrosis",
    "chest_wall_pain",
    "rib_fracture",
    "cough",
    "dyspnea",
    "fatigue",
    "dermatitis_radiation",
    "esophagitis",
    "pleural_effusion",
    "hemoptysis",
    "pneumonia",
    "other",
)
ATTRIBUTIONS = ("unrelated", "unlikely", "possible", "probable", "definite")
# SAP 3: a treatment-related AE is one attributed possibly, probably or definitely to SBRT.
RELATED_ATTRIBUTIONS = ("possible", "probable", "definite")

VITAL_STATUSES = ("alive", "dead")
CAUSES_OF_DEATH = ("lung_cancer", "treatment_related", "other", "unknown")

TIMEPOINTS = ("baseline", "end_of_treatment", "one_month")

# SAP 2.2: canonical unit of each analyte and the accepted units with their factor to it.
_CELLS = MappingProxyType({"10^9/L": 1.0, "/uL": 0.001})
LAB_UNITS: MappingProxyType = MappingProxyType(
    {
        "wbc": _CELLS,
        "neutrophils": _CELLS,
        "lymphocytes": _CELLS,
        "monocytes": _CELLS,
        "platelets": _CELLS,
        "hemoglobin": MappingProxyType({"g/L": 1.0, "g/dL": 10.0}),
        "albumin": MappingProxyType({"g/L": 1.0, "g/dL": 10.0}),
        "crp": MappingProxyType({"mg/L": 1.0, "mg/dL": 10.0}),
        "ldh": MappingProxyType({"U/L": 1.0}),
        "cea": MappingProxyType({"ng/mL": 1.0, "ug/L": 1.0}),
        "cyfra21_1": MappingProxyType({"ng/mL": 1.0, "ug/L": 1.0}),
        "nse": MappingProxyType({"ng/mL": 1.0, "ug/L": 1.0}),
        "scc": MappingProxyType({"ng/mL": 1.0, "ug/L": 1.0}),
        "progrp": MappingProxyType({"pg/mL": 1.0, "ng/L": 1.0}),
    }
)
ANALYTES = tuple(LAB_UNITS)


def canonical_values(labs: pd.DataFrame) -> pd.Series:
    """Each value of a labs table in its analyte's canonical unit (the factors above); missing
    when the unit is not accepted for the analyte (the gate refuses that)."""
    factor = [
        LAB_UNITS.get(a, {}).get(u, np.nan)
        for a, u in zip(labs["analyte"], labs["unit"], strict=True)
    ]
    return labs["value"] * np.asarray(factor, dtype=float)


CANONICAL_UNITS = MappingProxyType({a: next(iter(u)) for a, u in LAB_UNITS.items()})
ALL_UNITS = tuple(sorted({unit for units in LAB_UNITS.values() for unit in units}))

# SAP 3: indices derived per timepoint from the analytes (canonical units), and their unit.
INDICES = MappingProxyType(
    {
        "nlr": "ratio",  # neutrophils / lymphocytes
        "plr": "ratio",  # platelets / lymphocytes
        "lmr": "ratio",  # lymphocytes / monocytes
        "sii": "10^9/L",  # platelets x neutrophils / lymphocytes
        "pni": "score",  # albumin (g/L) + 5 x lymphocytes (10^9/L)
    }
)
MARKERS = ANALYTES + tuple(INDICES)
