"""Rule checklists."""

import json
from pathlib import Path

from sbrtlung.checklists import checklists_markdown
from sbrtlung.logs import logged

with logged(snakemake):
    results = json.loads(Path(snakemake.input[0]).read_text(encoding="utf-8"))
    Path(snakemake.output[0]).write_text(checklists_markdown(results), encoding="utf-8")
