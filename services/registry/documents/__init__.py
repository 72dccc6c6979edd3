"""Evidence documents: what was submitted, by whom issued, valid when, and its SHA-256."""
