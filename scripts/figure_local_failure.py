"""Rule figure_local_failure."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.style import save
from sbrtlung.figures.survival import local_failure_figure
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake):
    p = snakemake.params
    figure = local_failure_figure(
        pd.read_parquet(snakemake.input.curves),
        horizon=Horizon(**p.horizon),
    )
    save(figure, Path(snakemake.output.png).with_suffix(""))
