"""Rule model_calibration_slope."""

from sbrtlung.logs import logged
from sbrtlung.models.calibration_slope import calibration_measures
from sbrtlung.tables import read_csvs, write_csv

with logged(snakemake):
    predictions = read_csvs(snakemake.input)
    write_csv(calibration_measures(predictions, snakemake.params.horizon_days), snakemake.output[0])
