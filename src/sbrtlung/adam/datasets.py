"""Reading the gate's typed tables and writing analysis datasets under their contracts."""

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sbrtlung.schemas.adam import DATASETS


def read_tables(paths: Iterable[str | Path]) -> dict[str, pd.DataFrame]:
    """Parquet files keyed by file stem (`results/validated/sbrt.parquet` -> "sbrt")."""
    return {Path(p).stem: pd.read_parquet(p) for p in paths}


def write_dataset(frame: pd.DataFrame, name: str, path: str | Path) -> None:
    """Check a dataset against its pandera model (all failures at once), then write it."""
    DATASETS[name].validate(frame, lazy=True)
    frame.to_parquet(path, index=False)
