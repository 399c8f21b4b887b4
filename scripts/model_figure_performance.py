"""Rule model_figure_performance."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.models import performance_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake):
    figure = performance_figure(
        pd.read_csv(snakemake.input.performance),
        pd.read_csv(snakemake.input.repeat_metrics),
        Horizon(**snakemake.params.horizon),
    )
    save(figure, Path(snakemake.output.png).with_suffix(""))
