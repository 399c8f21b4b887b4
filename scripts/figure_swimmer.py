"""Rule figure_swimmer."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.style import save
from sbrtlung.figures.swimmer import swimmer_figure
from sbrtlung.logs import logged

with logged(snakemake):
    figure = swimmer_figure(
        pd.read_parquet(snakemake.input.adsl),
        pd.read_parquet(snakemake.input.adtte),
        month_days=snakemake.params.month_days,
    )
    save(figure, Path(snakemake.output.png).with_suffix(""))
