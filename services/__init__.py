"""The three services. None imports another's code; they talk over HTTP."""
