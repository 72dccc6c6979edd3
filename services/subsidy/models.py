"""Every table of the subsidy service, for Alembic (it has none of its own yet)."""
