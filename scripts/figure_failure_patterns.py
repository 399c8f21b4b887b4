"""Rule figure_failure_patterns."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.style import save
from sbrtlung.figures.survival import failure_patterns_figure
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake):
    p = snakemake.params
    figure = failure_patterns_figure(
        pd.read_parquet(snakemake.input.curves),
        horizon=Horizon(**p.horizon),
    )
    save(figure, Path(snakemake.output.png).with_suffix(""))
