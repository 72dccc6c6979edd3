"""Statistics for a date, computed in the database and confined to the caller's jurisdiction."""
