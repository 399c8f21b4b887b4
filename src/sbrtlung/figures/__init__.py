"""Journal figures: one paper style (`style`), efficacy curves (`survival`), swimmer plot.

Every figure function takes analysis datasets and returns a matplotlib Figure drawn in the
paper style; `style.save` writes it as a 300 dpi PNG and a vector PDF, byte-reproducibly.
"""
