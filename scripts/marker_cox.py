"""Rule marker_cox."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.markers.cox import key_results, marker_models
from sbrtlung.reporting.tables import write_csv, write_json

with logged(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    cox, remark = marker_models(
        pd.read_parquet(i.adlb),
        pd.read_parquet(i.adsl),
        pd.read_parquet(i.adtte),
        snakemake.params.landmark_days,
    )
    write_csv(cox, o.cox)
    write_csv(remark, o.remark)
    write_json(key_results(cox), o.key_results)
    log.info("%d models, %d not fitted", len(cox), int(cox["p"].isna().sum()))
