"""The facts read model: a space's facts as of a date, for the eligibility service."""
