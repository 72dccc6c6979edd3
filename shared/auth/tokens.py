"""Verifying bearer JWTs and minting development ones.

HS256 with a shared secret in dev; RS256 with a public key or a JWKS endpoint in production.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import Any

import anyio
import jwt
from jwt import PyJWKClient

from shared.auth.principal import Principal, Role
from shared.contracts.jurisdictions import JURISDICTION_CODES
from shared.errors import Unauthorized
from shared.settings import BaseServiceSettings, JwtAlgorithm
from shared.text import unstorable_character

_ROLES = {role.value: role for role in Role}

# A token verified a moment ago is not verified again (signature, header and claims cost more
# than a short read): its principal is kept for at most ``_VERIFIED_TTL_SECONDS`` and never past
# the token's own expiry. Bounded, least recently used first out.
_VERIFIED_MAX = 4096
_VERIFIED_TTL_SECONDS = 60.0


class TokenVerifier:
    def __init__(self, settings: BaseServiceSettings) -> None:
        self.algorithm = settings.jwt_algorithm.value
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_seconds
        self._jwks: PyJWKClient | None = None
        self._key: Any
        if settings.jwt_algorithm is JwtAlgorithm.HS256:
            self._key = settings.jwt_secret.get_secret_value()
        elif settings.jwt_public_key:
            self._key = settings.jwt_public_key
        else:
            assert settings.jwt_jwks_url
            self._jwks = PyJWKClient(settings.jwt_jwks_url, cache_keys=True, lifespan=300)
            self._key = None
        # token -> (principal, reuse it until this time.time())
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def _key_for(self, token: str) -> Any:
        if self._jwks is None:
            return self._key
        jwks = self._jwks
        try:
            signing_key = await anyio.to_thread.run_sync(jwks.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientError as exc:
            raise Unauthorized(f"No key to verify this token: {exc}") from exc
        return signing_key.key

    async def verify(self, token: str) -> Principal:
        """The token's principal; 401 with the reason if it does not verify."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, until = cached
            if time.time() < until:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, expires_at = await self._verify(token)
        self._verified[token] = (
            principal,
            min(time.time() + _VERIFIED_TTL_SECONDS, expires_at + self.leeway),
        )
        if len(self._verified) > _VERIFIED_MAX:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as exc:
            raise Unauthorized("The bearer token is not a well-formed JWT") from exc
        alg = str(header.get("alg", ""))
        if alg.lower() == "none":
            raise Unauthorized("Unsigned tokens (alg=none) are refused; sign the token")
        if alg != self.algorithm:
            raise Unauthorized(
                f"Token algorithm {alg!r} is not accepted; this service accepts "
                f"{self.algorithm} only"
            )
        key = await self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired; obtain a new one") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("The token is not valid yet (nbf/iat in the future)") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthorized("The token's signature does not verify") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized(
                f"The token is not meant for this system (aud must be {self.audience!r})"
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized(
                _malformed_claim(token) or f"The token was not issued by {self.issuer!r}"
            ) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"The token lacks the required claim {exc.claim!r}") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(_malformed_claim(token) or "The bearer token is invalid") from exc
        return principal_from_claims(claims), float(claims["exp"])


# The registered claims PyJWT checks, and the JSON kind each must be (RFC 7519, section 4.1).
_REGISTERED_CLAIMS: dict[str, tuple[tuple[type, ...], str]] = {
    "iss": ((str,), "text"),
    "sub": ((str,), "text"),
    "jti": ((str,), "text"),
    "exp": ((int, float), "a number (seconds since 1970)"),
    "nbf": ((int, float), "a number (seconds since 1970)"),
    "iat": ((int, float), "a number (seconds since 1970)"),
}
# A subject is stored with what it does (``created_by``, the audit log, an idempotency key's
# owner with its role and jurisdiction before it: 200 characters in all).
MAX_SUBJECT_LENGTH = 150
MAX_NAME_LENGTH = 200


def _malformed_claim(token: str) -> str | None:
    """Which registered claim PyJWT refused for its kind, and the kind it must be (PyJWT's own
    words do not always name it); read only after PyJWT verified the signature."""
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    for claim, (kinds, words) in _REGISTERED_CLAIMS.items():
        value = payload.get(claim)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
            return f"The token's {claim!r} claim must be {words}"
    return None


def _text_claim(claims: dict[str, Any], claim: str, max_length: int) -> str | None:
    """A text claim as stored text (1 to ``max_length`` characters, nothing unstorable)."""
    value = claims.get(claim)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unauthorized(f"The token's {claim!r} claim must be text, not {type(value).__name__}")
    if not 1 <= len(value) <= max_length:
        raise Unauthorized(f"The token's {claim!r} claim must be 1 to {max_length} characters")
    unstorable = unstorable_character(value)
    if unstorable is not None:
        raise Unauthorized(f"The token's {claim!r} claim {unstorable}")
    return value


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The caller a verified token names; 401 naming the claim that is missing or malformed."""
    raw_role = claims.get("role")
    role = _ROLES.get(raw_role) if isinstance(raw_role, str) else None
    if role is None:
        raise Unauthorized(
            f"Unknown role {raw_role!r} in the token's 'role' claim; known roles: "
            f"{', '.join(sorted(_ROLES))}"
        )
    subject = _text_claim(claims, "sub", MAX_SUBJECT_LENGTH)
    if subject is None:
        raise Unauthorized("The token lacks the required claim 'sub'")
    name = _text_claim(claims, "name", MAX_NAME_LENGTH)
    jurisdiction = claims.get("jurisdiction")
    if jurisdiction is not None and not isinstance(jurisdiction, str):
        raise Unauthorized(
            f"The token's 'jurisdiction' claim must be one jurisdiction code as text, not "
            f"{type(jurisdiction).__name__}"
        )
    if role is Role.DISTRICT_OFFICER:
        if jurisdiction not in JURISDICTION_CODES:
            raise Unauthorized(
                "A district_officer token must carry a 'jurisdiction' claim with "
                "one of the eleven jurisdiction codes"
            )
    else:
        jurisdiction = None
    return Principal(subject=subject, role=role, jurisdiction=jurisdiction, name=name)


def issue_token(
    settings: BaseServiceSettings,
    *,
    role: Role,
    subject: str,
    jurisdiction: str | None = None,
    name: str | None = None,
    ttl_seconds: int = 8 * 3600,
    signing_key: str | None = None,
) -> str:
    """Mint a token. Without ``signing_key`` only the HS256 secret can sign (dev and tests)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "role": role.value,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if jurisdiction is not None:
        claims["jurisdiction"] = jurisdiction
    if name is not None:
        claims["name"] = name
    if signing_key is None:
        if settings.jwt_algorithm is not JwtAlgorithm.HS256:
            raise ValueError("only HS256 tokens can be minted from settings; pass signing_key")
        signing_key = settings.jwt_secret.get_secret_value()
    return jwt.encode(claims, signing_key, algorithm=settings.jwt_algorithm.value)


class ServiceTokenProvider:
    """The token this service presents to the others: configured, or minted and renewed in dev."""

    def __init__(self, settings: BaseServiceSettings) -> None:
        self._settings = settings
        self._static = settings.service_token.get_secret_value() if settings.service_token else None
        self._token: str | None = None
        self._renew_at = 0.0

    def token(self) -> str:
        if self._static is not None:
            return self._static
        now = time.time()
        if self._token is None or now >= self._renew_at:
            ttl = 3600
            self._token = issue_token(
                self._settings,
                role=Role.SERVICE,
                subject=f"service:{self._settings.service_name}",
                ttl_seconds=ttl,
            )
            self._renew_at = now + ttl / 2
        return self._token
