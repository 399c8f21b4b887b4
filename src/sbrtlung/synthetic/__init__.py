"""The built-in synthetic trial: its nine raw exports (`simulate`), the latent model with its
exact population truths (`truth`), and the simulation study of the design
(`simulation_study`)."""
