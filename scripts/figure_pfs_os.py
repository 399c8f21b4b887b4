"""Rule figure_pfs_os."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.style import save
from sbrtlung.figures.survival import pfs_os_figure
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake):
    p = snakemake.params
    figure = pfs_os_figure(
        pd.read_parquet(snakemake.input.curves),
        horizon=Horizon(**p.horizon),
    )
    save(figure, Path(snakemake.output.png).with_suffix(""))
