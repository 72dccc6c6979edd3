"""Mint a development token.

python -m shared.auth.cli --role district_officer --jurisdiction 620102
"""

from __future__ import annotations

import argparse
import sys

from pydantic_settings import SettingsConfigDict

from shared.auth.principal import Role
from shared.auth.tokens import issue_token
from shared.contracts.jurisdictions import JURISDICTION_CODES
from shared.settings import BaseServiceSettings, Environment, default_sqlite_url


class _TokenSettings(BaseServiceSettings):
    """The JWT settings as the services read them (REGISTRY_ prefix: all three share the key)."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)
    service_name: str = "token-cli"
    database_url: str = default_sqlite_url("registry")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--jurisdiction", choices=sorted(JURISDICTION_CODES))
    parser.add_argument("--sub", help="subject (user id); defaults to dev-<role>[-<jurisdiction>]")
    parser.add_argument("--name", help="display name")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    role = Role(args.role)
    if role is Role.DISTRICT_OFFICER and not args.jurisdiction:
        parser.error("a district_officer token needs --jurisdiction (one of the eleven codes)")
    settings = _TokenSettings()
    if settings.env is not Environment.DEV:
        print("refusing to mint tokens outside dev (REGISTRY_ENV is not 'dev')", file=sys.stderr)
        return 2
    subject = args.sub or "-".join(filter(None, ["dev", role.value, args.jurisdiction]))
    print(
        issue_token(
            settings,
            role=role,
            subject=subject,
            jurisdiction=args.jurisdiction,
            name=args.name,
            ttl_seconds=args.ttl,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
