"""Disbursements (拨付): payment instructions for tranches of an award."""
