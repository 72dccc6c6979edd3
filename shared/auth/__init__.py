"""Bearer-token authentication, roles, and the jurisdiction scope every query is filtered by."""

from shared.auth.dependencies import authenticated, require_roles
from shared.auth.principal import Principal, Role

__all__ = ["Principal", "Role", "authenticated", "require_roles"]
