"""ADLES: one row per residual nodule with its SBRT course and radiobiological dose (SAP 3)."""

import pandas as pd

from sbrtlung.schemas import vocabulary as v

from .days import study_day

ALPHA_BETA = 10.0  # Gy, the alpha/beta of BED10 and EQD2


def bed(total_dose: pd.Series, dose_per_fraction: pd.Series, alpha_beta: float) -> pd.Series:
    """Biologically effective dose of the linear-quadratic model, BED = D (1 + d / (a/b))."""
    return total_dose * (1 + dose_per_fraction / alpha_beta)


def derive_adles(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Lesions joined to their course; dose delivered D, dose per fraction d, BED10, EQD2.

    D = dose_gy * delivered / planned and d = dose_gy / planned (the prescribed fraction
    size). A lesion without a course, or whose course delivered no fraction
    (`vocabulary.treated`), is untreated (TRTFL false).
    """
    lesions = tables["lesions"].merge(
        tables["sbrt"], on=["patient_id", "lesion_id"], how="left", validate="one_to_one"
    )
    enrollment = tables["patients"].set_index("patient_id")["enrollment_date"]
    planned = lesions["fractions_planned"].astype("float64")
    delivered = lesions["fractions_delivered"].astype("float64")
    dose_delivered = lesions["dose_gy"] * delivered / planned
    dose_per_fraction = lesions["dose_gy"] / planned
    bed10 = bed(dose_delivered, dose_per_fraction, ALPHA_BETA)
    start = study_day(lesions["start_date"], lesions["patient_id"], enrollment)
    end = study_day(lesions["end_date"], lesions["patient_id"], enrollment)
    return pd.DataFrame(
        {
            "USUBJID": lesions["patient_id"],
            "LESID": lesions["lesion_id"],
            "LOBE": lesions["lobe"],
            "DIAMMM": lesions["diameter_mm"],
            "CONSRAT": lesions["consolidation_ratio"],
            "LOCATION": lesions["location"],
            "DIAGNOSIS": lesions["diagnosis"],
            "LESHIST": lesions["histology"],
            "COURSEFL": lesions["fractions_planned"].notna(),
            "TRTFL": v.treated(lesions["fractions_delivered"]).fillna(False).astype(bool),
            "COMPLFL": (lesions["fractions_delivered"] == lesions["fractions_planned"])
            .fillna(False)
            .astype(bool),
            "TECHNIQUE": lesions["technique"],
            "DOSEGY": lesions["dose_gy"],
            "FXPLAN": lesions["fractions_planned"],
            "FXDLV": lesions["fractions_delivered"],
            "DOSEDLV": dose_delivered,
            "DOSEPFX": dose_per_fraction,
            "BED10": bed10,
            "EQD2": bed10 / (1 + 2 / ALPHA_BETA),
            "STARTDY": start,
            "ENDDY": end,
            "DURDY": end - start + 1,
        }
    )
