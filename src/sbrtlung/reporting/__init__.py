"""Reporting: how results are printed (`formatter`) and written as tables (`tables`), the
descriptive and results tables of the paper, its checklists, the key results every number of
the text comes from, and the provenance of a run."""
