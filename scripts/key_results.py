"""Rule key_results."""

import json
from pathlib import Path

import pandas as pd

from sbrtlung.design import planned_sample_size
from sbrtlung.key_results import (
    assemble,
    data_source,
    marker_findings,
    primary_outcome,
    write_json,
)
from sbrtlung.logs import logged
from sbrtlung.markers import marker_label
from sbrtlung.schemas.vocabulary import MARKERS


def read_json(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


with logged(snakemake):
    i = snakemake.input
    results = assemble(
        screening=pd.read_parquet(i.screening[0]),
        adsl=pd.read_parquet(i.adsl),
        adles=pd.read_parquet(i.adles),
        rates=pd.read_csv(i.rates),
        medians=pd.read_csv(i.medians),
        primary=read_json(i.primary),
        safety=read_json(i.safety),
        design=planned_sample_size(snakemake.params.hypothesis, snakemake.params.design),
        pattern=pd.read_csv(i.pattern),
        flow=read_json(i.flow),
    )
    # Blocks that their own stage already keyed (marker_cox, models) are merged as they are.
    results |= read_json(i.markers)
    models = read_json(i.models)
    results["models"] = models["models"]
    results["model_gain_over_clinical"] = models["gain_over_clinical"]
    results["model_landmark"] = models["landmark"]
    results["model_cohorts"] = models["cohorts"]
    results |= read_json(i.simulation_study)
    results["primary_outcome"] = primary_outcome(results["primary_success"])
    results["primary_outcome_bootstrap"] = primary_outcome(results["primary_success_bootstrap"])
    results["data_source"] = data_source(snakemake.params.raw_dir)
    labels = {m: marker_label(m) for m in MARKERS}
    results["marker_findings"] = marker_findings(results["marker_cox"], labels)
    write_json(results, snakemake.output[0])
