"""Rule manuscript_sections: the text of each marker-dependent part of the paper."""

from pathlib import Path

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.manuscript import sections

with logged(snakemake) as log:
    analysed = not pd.read_parquet(snakemake.input.adlb).empty
    sections.write(Path(snakemake.output[0]).parent, analysed)
    log.info("blood markers %s", "analysed" if analysed else "skipped: ADLB has no row")
