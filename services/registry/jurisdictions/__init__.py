"""Jurisdictions (属地): the eleven that manage maker spaces, as reference data."""
