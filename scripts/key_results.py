"""Rule key_results."""

import pandas as pd

from sbrtlung.logs import logged
from sbrtlung.reporting.key_results import assemble
from sbrtlung.tables import read_json, write_json

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
        trae_by_grade=pd.read_csv(i.trae_by_grade),
        sensitivity=pd.read_csv(i.sensitivity),
        sites=pd.read_csv(i.sites),
        site_heterogeneity=read_json(i.site_heterogeneity),
        subgroups=pd.read_csv(i.subgroups),
        pattern=pd.read_csv(i.pattern),
        flow=read_json(i.flow),
        markers=read_json(i.markers),
        models=read_json(i.models),
        simulation_study=read_json(i.simulation_study),
        config=snakemake.params.settings,
    )
    write_json(results, snakemake.output[0])
