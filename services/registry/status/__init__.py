"""A space's status in the recognition procedure, as append-only dated records, and its standing."""
