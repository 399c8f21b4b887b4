"""The validation gate: raw exports in, typed tables and every data-quality finding out.

`exports` reads the folder (every breach of the column contract a `findings.Finding`),
`checks` applies the conditional and cross-file rules of the data contract within the study
`period`, and `gate` joins them into the report and the typed tables; `quality` counts the
findings for the paper, and `dictionary` documents the contract.
"""
