"""REDCap in both directions: the eCRF generated from the data contract, and REDCap's records
export read into the nine contract exports (`python -m sbrtlung.redcap`, docs/redcap.md)."""
