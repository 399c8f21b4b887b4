"""The simulation study of the design (docs/simulation_study.md): synthetic trials under the
null and the alternative, analysed as the workflow analyses the trial (`trials`), and its
figure (`figure`). A stage of its own: it reads the configuration, not the trial's data."""
