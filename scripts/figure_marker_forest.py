"""Rule figure_marker_forest."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.markers import forest_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged

with logged(snakemake):
    figure = forest_figure(pd.read_csv(snakemake.input.cox), snakemake.params.landmark_days)
    save(figure, Path(snakemake.output.png).with_suffix(""))
