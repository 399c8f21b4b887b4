"""Rule model_figure_calibration."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.models import calibration_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake):
    p = snakemake.params
    figure = calibration_figure(pd.read_csv(snakemake.input.calibration), Horizon(**p.horizon))
    save(figure, Path(snakemake.output.png).with_suffix(""))
