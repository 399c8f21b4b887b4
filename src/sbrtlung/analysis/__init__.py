"""Efficacy and safety analyses of ADaM (SAP 4): the estimators and the patient-cluster
bootstrap, the rates and the primary decision, adverse-event incidences, the participant flow
and the planned sample size."""
