"""ADaM-style analysis datasets derived from the validated exports.

Calendar dates stop here: every derived dataset counts time in study days, day 0 being the
patient's enrollment date (the one date every enrolled patient has).
"""

import pandas as pd


def derive_all(
    tables: dict[str, pd.DataFrame], config: dict, cut: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    """Every analysis dataset from typed export tables, in the order the workflow derives them.

    The workflow runs one rule per dataset; tests, benchmarks and the simulation study call
    this to get exactly the same datasets in one step. `cut`: the data cut the gate resolved
    (`derive_adsl`).
    """
    from .adae import derive_adae
    from .adlb import derive_adlb
    from .adles import derive_adles
    from .adsl import derive_adsl
    from .adtte import derive_adtte

    adles = derive_adles(tables)
    adsl = derive_adsl(tables, adles, cut=cut, lost_after_days=config["lost_to_follow_up_days"])
    return {
        "adles": adles,
        "adsl": adsl,
        "adtte": derive_adtte(tables, adsl, adles, config["month_days"]),
        "adae": derive_adae(tables, adsl, config["acute_ae_days"]),
        "adlb": derive_adlb(tables, adsl, config["lab_windows"], config["drop_out_of_window_labs"]),
    }
