"""Rulesets: each version of the Measures as a data file, loaded strictly and chosen by date."""
