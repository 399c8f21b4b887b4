"""Rule figure_toxicity."""

from pathlib import Path

import pandas as pd

from sbrtlung.figures.monitoring import toxicity_figure
from sbrtlung.figures.style import save
from sbrtlung.logs import logged

with logged(snakemake):
    settings = snakemake.params.monitoring
    figure = toxicity_figure(
        pd.read_csv(snakemake.input.sequence),
        pd.read_csv(snakemake.input.boundary),
        settings["toxicity_p0"],
        settings["alpha"],
    )
    save(figure, Path(snakemake.output.png).with_suffix(""))
