"""Rule simulation_study_figure."""

from pathlib import Path

import pandas as pd

from sbrtlung import simstudy
from sbrtlung.figures.style import save
from sbrtlung.logs import logged

with logged(snakemake):
    figure = simstudy.figure(pd.read_csv(snakemake.input[0]))
    save(figure, Path(snakemake.output.png).with_suffix(""))
