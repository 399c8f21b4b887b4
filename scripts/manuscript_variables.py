"""Rule manuscript_variables: key_results.json and the config -> manuscript/_variables.yml."""

from sbrtlung.logs import logged
from sbrtlung.manuscript import variables

with logged(snakemake) as log:
    variables.write(snakemake.input[0], snakemake.params.config, snakemake.output[0])
    log.info("wrote %s", snakemake.output[0])
