"""Rule redcap_split: REDCap's records export -> the nine exports and the row map; a file it
cannot use ends the rule with one line saying why."""

import sys
from pathlib import Path

from sbrtlung.logs import logged
from sbrtlung.redcap.ecrf import RedcapError
from sbrtlung.redcap.records import split_files

with logged(snakemake) as log:
    out = snakemake.output
    try:
        split_files(
            snakemake.input.records,
            snakemake.input.dictionary,
            Path(out.exports[0]).parent,
            out.rows,
            out.notes,
        )
    except RedcapError as error:
        log.error("%s", error)
        print(error, file=sys.stderr)
        sys.exit(1)
