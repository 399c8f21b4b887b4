"""Reporting: how results are printed (`formatter`) and written as tables (`tables`)."""
