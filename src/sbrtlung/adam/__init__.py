"""ADaM-style analysis datasets derived from the validated exports.

Calendar dates stop here: every derived dataset counts time in study days, day 0 being the
patient's enrollment date (the one date every enrolled patient has).
"""
