"""Rule delta: changes.csv, key_results.csv and the report; cuts that cannot be compared end
the rule with one line."""

import sys
from pathlib import Path

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.monitoring.delta import DeltaError, delta
from sbrtlung.study import StudyPeriod
from sbrtlung.tables import read_json, write_csv, write_markdown

with logged(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    try:
        result = delta(
            {Path(f).stem: pd.read_parquet(f) for f in i.previous},
            {Path(f).stem: pd.read_parquet(f) for f in i.current},
            p.previous_cut,
            StudyPeriod.read(i.period).cut,
            read_json(i.previous_key_results),
            read_json(i.key_results),
        )
    except DeltaError as error:
        log.error("%s", error)
        print(error, file=sys.stderr)
        sys.exit(1)
    write_csv(result.changes, o.changes)
    write_csv(result.numbers, o.key_results)
    write_markdown(result.markdown, o.md)
    write_markdown(result.html, o.html)
