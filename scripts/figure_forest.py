"""Rule figure_forest."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.forest import forest_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged
from sbrtlung.study import Horizon

with logged(snakemake):
    table = pd.read_csv(snakemake.input[0], keep_default_na=False, na_values=[""])
    p = snakemake.params
    figure = forest_figure(snakemake.wildcards.analysis, table, p.lcr_null, Horizon(**p.horizon))
    save(figure, Path(snakemake.output.png).with_suffix(""))
