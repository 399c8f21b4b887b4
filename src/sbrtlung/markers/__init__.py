"""Blood markers (SAP 4, exploratory): their change by timepoint (`summary`), univariable Cox
models (`cox`), and the per-patient analysis tables shared with the prognostic models
(`features`)."""
