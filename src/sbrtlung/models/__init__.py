"""Prognostic models of PFS and OS with nested, repeated cross-validation (SAP 4).

`data` builds the cohorts (all patients; landmark cohort with the marker dynamics),
`pipeline` the three models and their leakage-free scikit-learn pipeline, `cv` one repeat of
the nested cross-validation and the final refit, `metrics` the per-fold performance with
its IPCW handling, `summary` the aggregation over repeats and `tables` the manuscript
tables. Design and choices: docs/models.md.
"""
