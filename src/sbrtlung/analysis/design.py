"""The planned sample size of the primary endpoint, reproduced from config (SAP 4).

Normal approximation for one proportion against a fixed null,
n = (z_{1-a} sqrt(p0 (1 - p0)) + z_{1-b} sqrt(p1 (1 - p1)))^2 / (p1 - p0)^2 lesions,
inflated by the design effect 1 + (m - 1) ICC of m lesions per patient, turned into
patients, and inflated for dropout. Each step is rounded up, as a protocol would.
"""

import math

from scipy.stats import norm


def sample_size(
    p0: float, p1: float, alpha: float, power: float, m: float, icc: float, dropout: float
) -> dict[str, float]:
    """Every step of the calculation, so the manuscript can quote each of them."""
    z_alpha, z_beta = norm.ppf(1 - alpha), norm.ppf(power)
    spread = z_alpha * math.sqrt(p0 * (1 - p0)) + z_beta * math.sqrt(p1 * (1 - p1))
    lesions_independent = math.ceil(spread**2 / (p1 - p0) ** 2)
    design_effect = 1 + (m - 1) * icc
    lesions = math.ceil(lesions_independent * design_effect)
    patients_evaluable = math.ceil(lesions / m)
    return {
        "z_alpha": z_alpha,
        "z_beta": z_beta,
        "lesions_independent": lesions_independent,
        "design_effect": design_effect,
        "lesions": lesions,
        "patients_evaluable": patients_evaluable,
        "patients": math.ceil(patients_evaluable / (1 - dropout)),
    }


def planned_sample_size(hypothesis: dict, design: dict) -> dict:
    """The calculation from the config's `hypothesis` and `sample_size` blocks, with inputs."""
    result = sample_size(
        hypothesis["lcr_null"],
        hypothesis["lcr_alternative"],
        hypothesis["alpha_one_sided"],
        hypothesis["power"],
        design["lesions_per_patient"],
        design["icc"],
        design["dropout"],
    )
    return {**hypothesis, **design, **result}
