"""Published shapes that more than one service relies on (the API contracts, not logic)."""
