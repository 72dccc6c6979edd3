"""Evaluations: stored decision receipts and their replay; batch, what-if and impact runs."""
