"""Maker spaces (众创空间): the registry's central record, scoped by jurisdiction."""
