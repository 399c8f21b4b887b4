"""Monitoring while the trial runs (SAP amendment 1.2g): the continuous toxicity boundary and
its status at a data cut, what changed since the previous cut, and the DMC report."""
