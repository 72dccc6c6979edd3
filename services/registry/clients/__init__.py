"""The registry's typed clients of the other services."""
