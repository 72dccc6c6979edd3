"""The subsidy service."""
