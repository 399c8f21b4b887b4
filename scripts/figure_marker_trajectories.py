"""Rule figure_marker_trajectories."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.markers import trajectory_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged

with logged(snakemake):
    figure = trajectory_figure(pd.read_parquet(snakemake.input.adlb))
    save(figure, Path(snakemake.output.png).with_suffix(""))
