"""Budgets (财政奖补资金预算) per fiscal year: appropriations and adjustments are ledger entries."""
