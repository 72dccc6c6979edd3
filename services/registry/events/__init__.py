"""The registry's outbox: events about spaces, pushed to subscribers and served as a feed."""
