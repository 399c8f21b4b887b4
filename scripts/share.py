"""Rule share."""

from pathlib import Path

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.share.package import build_package, write_package
from sbrtlung.tables import read_json

with logged(snakemake):
    adam = {Path(p).stem: pd.read_parquet(p) for p in snakemake.input.adam}
    run = read_json(snakemake.input.provenance)
    p = snakemake.params
    files = build_package(adam, run, p.settings, p.seed)
    write_package(files, Path(snakemake.output[0]).parents[1])
