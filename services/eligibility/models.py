"""Every table of the eligibility service, for Alembic (it has none of its own yet)."""
