"""Bearer tokens: every bad kind is a 401 problem, a known role out of its rights a 403."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.registry.config import RegistrySettings
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.settings import DEV_JWT_SECRET
from tests.conftest import client_for, space_body

REPO = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")

pytestmark = pytest.mark.backends("sqlite")  # authentication does not touch the database


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "lzms",
        "aud": "lzms",
        "sub": "u-1",
        "role": "city_admin",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _hs(claims: dict[str, object], secret: str = DEV_JWT_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _unsigned(claims: dict[str, object]) -> str:
    return jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]


BAD_TOKENS = {
    "expired": (
        lambda: _hs(
            _claims(
                iat=int(time.time()) - 7200,
                nbf=int(time.time()) - 7200,
                exp=int(time.time()) - 3600,
            )
        ),
        "expired",
    ),
    "not yet valid": (lambda: _hs(_claims(nbf=int(time.time()) + 3600)), "not valid yet"),
    "wrongly signed": (
        lambda: _hs(_claims(), "another-secret-another-secret-another"),
        "signature",
    ),
    "alg none": (lambda: _unsigned(_claims()), "alg=none"),
    "unknown role": (lambda: _hs(_claims(role="mayor")), "Unknown role"),
    "district without jurisdiction": (
        lambda: _hs(_claims(role="district_officer")),
        "jurisdiction",
    ),
    "district with unknown jurisdiction": (
        lambda: _hs(_claims(role="district_officer", jurisdiction="110101")),
        "jurisdiction",
    ),
    "wrong audience": (lambda: _hs(_claims(aud="elsewhere")), "not meant for this system"),
    "wrong issuer": (lambda: _hs(_claims(iss="elsewhere")), "not issued by"),
    "no expiry": (lambda: _hs(_claims(exp=None)), "'exp'"),
    "no role": (lambda: _hs(_claims(role=None)), "'role'"),
    "malformed": (lambda: "not-a-jwt", "well-formed"),
}


# Signed, unexpired tokens whose claims are of the wrong kind: each names the claim it refuses.
MALFORMED_CLAIMS: dict[str, tuple[dict[str, object], str]] = {
    "jurisdiction a list": (
        {"role": "district_officer", "jurisdiction": ["620102"]},
        "'jurisdiction'",
    ),
    "jurisdiction an object": (
        {"role": "district_officer", "jurisdiction": {"code": "620102"}},
        "'jurisdiction'",
    ),
    "jurisdiction a number": (
        {"role": "district_officer", "jurisdiction": 620102},
        "'jurisdiction'",
    ),
    "jurisdiction a list on a bureau token": (
        {"role": "city_admin", "jurisdiction": ["620102", "620103"]},
        "'jurisdiction'",
    ),
    "role a list": ({"role": ["city_admin"]}, "'role'"),
    "role an object": ({"role": {"name": "city_admin"}}, "'role'"),
    "role a number": ({"role": 1}, "'role'"),
    "sub a list": ({"sub": ["u-1"]}, "'sub'"),
    "sub an object": ({"sub": {"id": "u-1"}}, "'sub'"),
    "sub a number": ({"sub": 42}, "'sub'"),
    "sub empty": ({"sub": ""}, "'sub'"),
    "sub too long": ({"sub": "u" * 151}, "'sub'"),
    "sub with a control character": ({"sub": "u-1\u0000"}, "'sub'"),
    "sub with a lone surrogate": ({"sub": "u-\ud800"}, "'sub'"),
    "name a list": ({"name": ["张三"]}, "'name'"),
    "name an object": ({"name": {"zh": "张三"}}, "'name'"),
    "name a number": ({"name": 7}, "'name'"),
    "exp text": ({"exp": "tomorrow"}, "'exp'"),
    "exp a list": ({"exp": [int(time.time()) + 600]}, "'exp'"),
    "exp an object": ({"exp": {"at": int(time.time()) + 600}}, "'exp'"),
    "iat text": ({"iat": "now"}, "'iat'"),
    "nbf a list": ({"nbf": [0]}, "'nbf'"),
    "iss a list": ({"iss": ["lzms"]}, "'iss'"),
    "jti a number": ({"jti": 7}, "'jti'"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED_CLAIMS))
async def test_a_malformed_claim_is_a_401_naming_it(registry, kind: str) -> None:
    overrides, expected = MALFORMED_CLAIMS[kind]
    # Signed as it is: PyJWT would not even encode some of these.
    token = jwt.PyJWS().encode(
        json.dumps(_claims(**overrides)).encode(), DEV_JWT_SECRET, algorithm="HS256"
    )
    for method, body in (("GET", None), ("POST", space_body())):
        response = await registry.request(
            method,
            "/v1/spaces",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
        )
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "urn:lzms:problem:unauthorized"
        assert expected in problem["detail"], problem["detail"]


@pytest.mark.backends("sqlite", "postgresql")
async def test_a_subject_of_150_characters_is_stored_with_what_it_does(registry, auth) -> None:
    """The longest subject taken: stored as the creator, in the audit log and as the owner of
    an idempotency key (with its role and jurisdiction before it), on either database."""
    subject = "用" * 150
    headers = {**auth("district_officer", "620102", sub=subject), "Idempotency-Key": "k-150"}
    created = await registry.post(
        "/v1/spaces", json=space_body(jurisdiction_code="620102"), headers=headers
    )
    assert created.status_code == 201, created.text
    audit = (await registry.get("/v1/audit-log", headers=auth("auditor"))).json()["items"]
    assert [record["actor_subject"] for record in audit] == [subject]


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
async def test_bad_token_is_401_problem(registry, kind: str) -> None:
    make, expected = BAD_TOKENS[kind]
    response = await registry.get("/v1/spaces", headers={"Authorization": f"Bearer {make()}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["type"] == "urn:lzms:problem:unauthorized"
    assert expected in body["detail"]


async def test_bad_token_refused_on_write_changes_nothing(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces", json=space_body(), headers={"Authorization": f"Bearer {_unsigned(_claims())}"}
    )
    assert response.status_code == 401
    listed = await registry.get("/v1/spaces", headers=auth("city_admin"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize("header", ["", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
async def test_missing_or_non_bearer_credentials_are_401(registry, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = await registry.get("/v1/spaces", headers=headers)
    assert response.status_code == 401
    assert response.json()["type"] == "urn:lzms:problem:unauthorized"


async def test_valid_token_is_accepted(registry, auth) -> None:
    response = await registry.get("/v1/spaces", headers=auth("auditor"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["expert", "auditor", "finance_officer", "service"])
async def test_known_role_outside_its_rights_is_403(registry, auth, role: str) -> None:
    response = await registry.post("/v1/spaces", json=space_body(), headers=auth(role))
    assert response.status_code == 403
    body = response.json()
    assert body["type"] == "urn:lzms:problem:forbidden"
    assert role in body["detail"]
    assert "city_admin" in body["detail"]


async def test_expert_may_not_list_spaces(registry, auth) -> None:
    response = await registry.get("/v1/spaces", headers=auth("expert"))
    assert response.status_code == 403


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


async def test_rs256_with_public_key(make_app, rsa_key) -> None:
    public_pem = (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    private_pem = _private_pem(rsa_key)
    app = await make_app("registry", jwt_algorithm="RS256", jwt_public_key=public_pem)
    settings = app.state.settings
    good = issue_token(settings, role=Role.AUDITOR, subject="a", signing_key=private_pem)
    # An HS256 token signed with the public key as secret is the classic confusion attack.
    confused = jwt.encode(_claims(), "x" * 64, algorithm="HS256")
    async with client_for(app) as client:
        ok = await client.get("/v1/spaces", headers={"Authorization": f"Bearer {good}"})
        refused = await client.get("/v1/spaces", headers={"Authorization": f"Bearer {confused}"})
    assert ok.status_code == 200
    assert refused.status_code == 401
    assert "RS256" in refused.json()["detail"]


@pytest.fixture
def jwks_server(rsa_key):
    """A JWKS endpoint on localhost, as an identity provider would publish one."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    body = json.dumps(
        {"keys": [{**jwk, "kid": "bureau-2026", "use": "sig", "alg": "RS256"}]}
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", _private_pem(rsa_key)
    server.shutdown()


async def test_rs256_with_jwks(make_app, jwks_server) -> None:
    url, private_pem = jwks_server
    app = await make_app("registry", jwt_algorithm="RS256", jwt_jwks_url=url)
    good = jwt.encode(
        _claims(role="auditor"), private_pem, algorithm="RS256", headers={"kid": "bureau-2026"}
    )
    unknown_kid = jwt.encode(
        _claims(role="auditor"), private_pem, algorithm="RS256", headers={"kid": "someone-else"}
    )
    async with client_for(app) as client:
        ok = await client.get("/v1/spaces", headers={"Authorization": f"Bearer {good}"})
        refused = await client.get("/v1/spaces", headers={"Authorization": f"Bearer {unknown_kid}"})
    assert ok.status_code == 200
    assert refused.status_code == 401
    assert "No key" in refused.json()["detail"]


def test_secrets_refuse_dev_defaults_outside_dev() -> None:
    with pytest.raises(ValueError, match="development default"):
        RegistrySettings(env="production", service_token="t" * 40)
    with pytest.raises(ValueError, match="service_token"):
        RegistrySettings(env="production", jwt_secret="s" * 40)
    with pytest.raises(ValueError, match="at least 32"):
        RegistrySettings(env="production", jwt_secret="short", service_token="t")
    with pytest.raises(ValueError, match="RS256 needs"):
        RegistrySettings(env="production", jwt_algorithm="RS256", service_token="t")
    settings = RegistrySettings(env="production", jwt_secret="s" * 40, service_token="t")
    assert settings.jwt_secret.get_secret_value() == "s" * 40


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.eligibility.config import EligibilitySettings
    from services.subsidy.config import SubsidySettings

    monkeypatch.setenv("REGISTRY_DATABASE_URL", "sqlite+aiosqlite:///r.db")
    monkeypatch.setenv("ELIGIBILITY_DATABASE_URL", "sqlite+aiosqlite:///e.db")
    monkeypatch.setenv("SUBSIDY_MAX_PAGE_SIZE", "77")
    assert RegistrySettings().database_url.endswith("r.db")
    assert EligibilitySettings().database_url.endswith("e.db")
    assert SubsidySettings().max_page_size == 77
    assert RegistrySettings().max_page_size == 200


def test_token_cli_mints_a_verifiable_district_token(capsys: pytest.CaptureFixture[str]) -> None:
    from shared.auth.cli import main

    assert main(["--role", "district_officer", "--jurisdiction", "620102"]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="lzms")
    assert claims["role"] == "district_officer"
    assert claims["jurisdiction"] == "620102"
    with pytest.raises(SystemExit):
        main(["--role", "district_officer"])  # a district token needs its jurisdiction


def test_token_cli_takes_the_subject(capsys: pytest.CaptureFixture[str]) -> None:
    """Two bureau people (four-eyes) in development: each token names its own subject."""
    from shared.auth.cli import main

    subjects = []
    for argv in (["--role", "city_admin", "--sub", "alice"], ["--role", "city_admin"]):
        assert main(argv) == 0
        token = capsys.readouterr().out.strip()
        claims = jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="lzms")
        subjects.append((claims["role"], claims["sub"]))
    assert subjects == [("city_admin", "alice"), ("city_admin", "dev-city_admin")]


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_token_passes_the_subject() -> None:
    """``make token ROLE=city_admin SUB=alice``: the Makefile hands SUB to the cli."""
    assert MAKE is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    minted = {}
    for sub in ("alice", "bob"):
        done = subprocess.run(  # noqa: S603 (fixed arguments, make found on PATH)
            [MAKE, "-s", "token", "ROLE=city_admin", f"SUB={sub}"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        token = done.stdout.strip().splitlines()[-1]
        claims = jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="lzms")
        minted[sub] = (claims["role"], claims["sub"])
    assert minted == {"alice": ("city_admin", "alice"), "bob": ("city_admin", "bob")}


async def test_a_verified_token_is_reused_briefly_but_never_past_its_expiry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second request with a token does not verify it again; once the token has expired
    (plus the leeway) it is refused even though it was accepted before."""
    from shared.auth import tokens
    from shared.auth.tokens import TokenVerifier
    from shared.errors import Unauthorized

    verifier = TokenVerifier(RegistrySettings(database_url="sqlite://", env="dev"))
    now = time.time()
    token = _hs(_claims(exp=int(now) + 90))
    decoded = []
    real_decode = jwt.decode
    monkeypatch.setattr(
        tokens.jwt, "decode", lambda *a, **k: decoded.append(1) or real_decode(*a, **k)
    )

    first = await verifier.verify(token)
    again = await verifier.verify(token)
    assert again == first
    assert len(decoded) == 1

    # 61 s later the entry is stale (reused for 60 s at most): verified afresh, still valid.
    monkeypatch.setattr(tokens.time, "time", lambda: now + 61)
    assert await verifier.verify(token) == first
    assert len(decoded) == 2

    # Past its expiry (no leeway here): refused, though it was accepted and kept a moment ago.
    monkeypatch.undo()
    strict = TokenVerifier(
        RegistrySettings(database_url="sqlite://", env="dev", jwt_leeway_seconds=0)
    )
    short = _hs(_claims(exp=int(time.time()) + 1))
    await strict.verify(short)
    await asyncio.sleep(int(time.time()) + 1.05 - time.time())
    with pytest.raises(Unauthorized, match="expired"):
        await strict.verify(short)
