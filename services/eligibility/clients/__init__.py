"""Typed clients of the other services, against their published OpenAPI contracts."""
