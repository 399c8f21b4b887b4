"""Rule simulation_study_figure."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.style import save
from sbrtlung.logs import logged
from sbrtlung.simulation_study.figure import simulation_study_figure

with logged(snakemake):
    figure = simulation_study_figure(pd.read_csv(snakemake.input[0]))
    save(figure, Path(snakemake.output.png).with_suffix(""))
