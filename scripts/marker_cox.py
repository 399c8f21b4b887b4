"""Rule marker_cox."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.markers import cox
from sbrtlung.tables import write_csv, write_json

with logged(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    result = cox.analyse(
        pd.read_parquet(i.adlb),
        pd.read_parquet(i.adsl),
        pd.read_parquet(i.adtte),
        snakemake.params.landmark_days,
    )
    write_csv(result.cox, o.cox)
    write_csv(result.remark, o.remark)
    write_json(result.key_results, o.key_results)
    log.info("%d models, %d not fitted", len(result.cox), int(result.cox["p"].isna().sum()))
