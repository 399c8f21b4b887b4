"""Rule adles."""

from sbrtlung.adam.adles import derive_adles
from sbrtlung.adam.datasets import read_tables, write_dataset
from sbrtlung.logs import logged

with logged(snakemake):
    write_dataset(derive_adles(read_tables(snakemake.input)), "adles", snakemake.output[0])
