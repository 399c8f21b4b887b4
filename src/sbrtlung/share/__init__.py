"""The individual-patient-data package: the ADaM datasets as SAS transport (XPT v5) and
CDISC Dataset-JSON 1.1, described by a Define-XML 2.1 document, de-identified by rule
(docs/sharing.md). Names, labels, types and origins come from `sbrtlung.schemas.adam`."""
