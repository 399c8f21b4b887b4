"""Rule marker_cox."""

import pandas as pd

from sbrtlung.key_results import write_json
from sbrtlung.logs import logged
from sbrtlung.marker_cox import key_results, marker_models

with logged(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    cox, remark = marker_models(
        pd.read_parquet(i.adlb),
        pd.read_parquet(i.adsl),
        pd.read_parquet(i.adtte),
        snakemake.params.landmark_days,
    )
    cox.to_csv(o.cox, index=False, lineterminator="\n")
    remark.to_csv(o.remark, index=False, lineterminator="\n")
    write_json(key_results(cox), o.key_results)
    log.info("%d models, %d not fitted", len(cox), int(cox["p"].isna().sum()))
