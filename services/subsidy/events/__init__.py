"""The registry's events, received once each."""
