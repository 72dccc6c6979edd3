"""Award policies per fiscal year, as data: which awards exist and how much each pays."""
