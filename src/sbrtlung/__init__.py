"""Analysis library of the SBRT residual-nodule trial: every rule script calls into it."""
