"""Compliance records (C9): incidents, and list entries with their dates in and out."""
