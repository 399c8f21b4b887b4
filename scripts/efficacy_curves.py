"""Rule efficacy_curves."""

import pandas as pd

from sbrtlung.analysis.curves import efficacy_curves
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake) as log:
    p = snakemake.params
    curves = efficacy_curves(
        pd.read_parquet(snakemake.input.adtte), Horizon(**p.horizon), p.reps, p.seed
    )
    curves.to_parquet(snakemake.output[0], index=False)
    log.info("%d points of %d curves", len(curves), curves.groupby(["paramcd", "curve"]).ngroups)
