"""Rule manuscript_variables: key_results.json and the config -> manuscript/_variables.yml."""

from sbrtlung.logs import logged
from sbrtlung.manuscript import variables

with logged(snakemake) as log:
    p = snakemake.params
    variables.write(snakemake.input.key_results, p.config, snakemake.output[0], p.project)
    log.info("wrote %s", snakemake.output[0])
