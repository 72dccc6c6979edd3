"""The award policies (奖补标准) are published as law-as-data: what each award is worth in a
year, with a content hash anyone holding the file can recompute; each award names the policy
and the hash it was decided under."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

from services.subsidy.policies.loader import POLICY_DIR, PolicyError, load
from tests.subsidy.conftest import Money, doc


def _file_hash(path: Path) -> str:
    """The contract's recipe, written out independently: SHA-256 of the file's TOML document
    as JSON with sorted keys, no spaces, UTF-8."""
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def test_every_role_reads_the_policies_and_each_hash_is_the_files(money: Money) -> None:
    expected = {
        "example-2025": _file_hash(POLICY_DIR / "example-2025.toml"),
        "example-2026": _file_hash(POLICY_DIR / "example-2026.toml"),
    }
    for role, jurisdiction in (
        ("district_officer", "620102"),
        ("city_admin", None),
        ("finance_officer", None),
        ("auditor", None),
        ("expert", None),
        ("service", None),
    ):
        response = await money.client.get(
            "/v1/award-policies", headers=money.auth(role, jurisdiction, key=False)
        )
        assert response.status_code == 200, (role, response.text)
        listed = response.json()
        assert [p["id"] for p in listed] == ["example-2025", "example-2026"]
        assert {p["id"]: p["content_hash"] for p in listed} == expected
        assert [p["fiscal_year"] for p in listed] == [2025, 2026]
        assert all(p["example"] is True for p in listed)
    anonymous = await money.client.get("/v1/award-policies")
    assert anonymous.status_code == 401


async def test_a_policy_shows_years_amounts_caps_basis_and_hash(money: Money) -> None:
    district = money.auth("district_officer", "620103", key=False)
    response = await money.client.get("/v1/award-policies/example-2026", headers=district)
    assert response.status_code == 200, response.text
    policy = response.json()
    assert policy["id"] == "example-2026"
    assert policy["fiscal_year"] == 2026
    assert policy["example"] is True
    assert "示例" in policy["basis"]
    assert policy["content_hash"] == _file_hash(POLICY_DIR / "example-2026.toml")
    kinds = {k["kind"]: k for k in policy["kinds"]}
    assert list(kinds) == [
        "recognition",
        "national_filing",
        "excellent_assessment",
        "operating_subsidy",
    ]
    recognition = kinds["recognition"]
    assert recognition["amount_rule"] == "fixed"
    assert recognition["amount_fen"] == {
        "comprehensive": 20_000_000,
        "specialised": 20_000_000,
        "virtual": 5_000_000,
    }
    assert recognition["max_amount_fen"] is None
    assert recognition["proposed_on"] == "space.recognised"
    assert recognition["name_zh"] == "新认定市级众创空间一次性奖励"
    subsidy = kinds["operating_subsidy"]
    assert subsidy["amount_rule"] == "capped"
    assert subsidy["amount_fen"] is None
    assert subsidy["max_amount_fen"]["virtual"] == 2_000_000
    assert subsidy["proposed_on"] is None
    # Read twice, the same bytes.
    again = await money.client.get("/v1/award-policies/example-2026", headers=district)
    assert again.content == response.content


@pytest.mark.parametrize("policy_id", ["example-2024", "x", "例子", "%00", "a" * 300])
async def test_an_unknown_policy_is_a_404_naming_the_list(money: Money, policy_id: str) -> None:
    response = await money.client.get(
        f"/v1/award-policies/{policy_id}", headers=money.auth("auditor", key=False)
    )
    assert response.status_code == 404, response.text
    problem = response.json()
    assert problem["type"] == "urn:lzms:problem:award-policy-not-found"
    assert "GET /v1/award-policies" in problem["detail"]


def test_the_hash_is_of_what_the_file_says_not_its_layout(tmp_path: Path) -> None:
    original = (POLICY_DIR / "example-2026.toml").read_text(encoding="utf-8")
    # Comments dropped, keys written in another order: the same policy, the same hash.
    body = [line for line in original.splitlines() if not line.startswith("#")]
    split = body.index("[kinds.recognition]")
    head, kinds = body[:split], body[split:]
    relaid = tmp_path / "relaid.toml"
    relaid.write_text("\n".join([*reversed([h for h in head if h]), "", *kinds]), encoding="utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(
        original.replace("virtual = 2_000_000", "virtual = 2_000_001").replace("2026", "2027"),
        encoding="utf-8",
    )
    (shipped_2026,) = load([POLICY_DIR / "example-2026.toml"]).all()
    (same,) = load([relaid]).all()
    (other,) = load([changed]).all()
    assert same.content_hash == shipped_2026.content_hash
    assert other.content_hash != shipped_2026.content_hash
    # Two files with one id are refused, as two for one year are.
    twin = tmp_path / "twin.toml"
    twin.write_text(original.replace("fiscal_year = 2026", "fiscal_year = 2030"), encoding="utf-8")
    with pytest.raises(PolicyError, match="example-2026"):
        load([POLICY_DIR / "example-2026.toml", twin])


async def test_an_award_names_the_policy_and_hash_it_was_decided_under(
    money: Money, fake_registry
) -> None:
    await money.appropriate(50_000_000)
    decided = await money.award(fake_registry.add(), approve=False)
    published = await money.expect(
        await money.client.get(
            "/v1/award-policies/example-2026", headers=money.auth("auditor", key=False)
        ),
        200,
    )
    assert decided["policy_id"] == "example-2026"
    assert decided["policy_content_hash"] == published["content_hash"]
    read = await money.expect(
        await money.client.get(
            f"/v1/awards/{decided['id']}", headers=money.auth("auditor", key=False)
        ),
        200,
    )
    assert read["policy_content_hash"] == published["content_hash"]
    # The 2025 award is decided under the 2025 policy, and says so.
    await money.appropriate(50_000_000, year=2025)
    older = await money.expect(
        await money.client.post(
            "/v1/awards",
            json={
                "space_id": str(fake_registry.add().id),
                "kind": "recognition",
                "decision_document_no": doc(),
                "decided_on": "2025-09-01",
            },
            headers=money.preparer_headers(),
        ),
        201,
    )
    assert older["policy_id"] == "example-2025"
    assert older["policy_content_hash"] == _file_hash(POLICY_DIR / "example-2025.toml")
