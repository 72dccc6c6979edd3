"""Impact over facts the eligibility service fetches from the registry (service to service)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.eligibility.clients.registry import RegistryClient, RegistryRefused
from shared.errors import ProblemError
from tests.conftest import client_for, space_body

AS_OF = "2026-03-16"


async def _space_with_teams(registry, auth, teams: int) -> str:
    space = (
        await registry.post(
            "/v1/spaces", json=space_body(opened_on="2020-01-06"), headers=auth("city_admin")
        )
    ).json()["id"]
    for index in range(teams):
        created = await registry.post(
            f"/v1/spaces/{space}/teams",
            headers=auth("city_admin"),
            json={"name": f"团队{index}", "field": "high_tech", "joined_on": "2025-01-10"},
        )
        assert created.status_code == 201, created.text
    return space


def _impact(space_ids: list[str]) -> dict:
    return {
        "baseline_ruleset_id": "lz-measures-2018",
        "candidate_ruleset_id": "lz-measures-draft-stricter",
        "registry": {"space_ids": space_ids, "as_of": AS_OF},
    }


async def test_impact_on_spaces_fetched_from_the_registry(wired, registry, auth, caplog) -> None:
    twelve = await _space_with_teams(registry, auth, 12)  # enough in 2018, short of the draft's 15
    twenty = await _space_with_teams(registry, auth, 16)  # enough under both
    async with client_for(wired) as eligibility:
        response = await eligibility.post(
            "/v1/impact", json=_impact([twelve, twenty]), headers=auth("expert")
        )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["evaluated"] == 2
    (changed,) = result["items"]
    assert changed["space_id"] == twelve
    # Without staff or activities recorded the space fails C5 and C7 under both rulesets; what
    # the draft changes is C3: twelve teams were enough, fifteen are now needed.
    assert (changed["baseline"], changed["candidate"]) == ("not_eligible", "not_eligible")
    (cause,) = changed["causes"]
    assert cause["condition"] == "C3"
    assert cause["parameters"] == {"min_teams": {"baseline": 10, "candidate": 15, "unit": "teams"}}


async def test_a_district_gives_facts_itself(wired, registry, auth) -> None:
    space = await _space_with_teams(registry, auth, 1)
    async with client_for(wired) as eligibility:
        response = await eligibility.post(
            "/v1/impact", json=_impact([space]), headers=auth("district_officer", "620102")
        )
    assert response.status_code == 403
    assert "items" in response.json()["detail"]


async def test_an_unknown_space_is_a_404_naming_the_registry(wired, auth) -> None:
    async with client_for(wired) as eligibility:
        response = await eligibility.post(
            "/v1/impact",
            json=_impact(["00000000-0000-4000-8000-000000000000"]),
            headers=auth("city_admin"),
        )
    assert response.status_code == 404
    assert "registry" in response.json()["detail"]


@pytest.mark.backends("sqlite")
async def test_facts_or_spaces_but_not_both(wired, auth) -> None:
    from tests.eligibility.factories import request

    body = {**_impact(["00000000-0000-4000-8000-000000000000"]), "items": [request()]}
    async with client_for(wired) as eligibility:
        both = await eligibility.post("/v1/impact", json=body, headers=auth("city_admin"))
        neither = await eligibility.post(
            "/v1/impact",
            json={
                "baseline_ruleset_id": "lz-measures-2018",
                "candidate_ruleset_id": "lz-measures-draft-stricter",
            },
            headers=auth("city_admin"),
        )
    assert both.status_code == neither.status_code == 422
    assert "either items" in both.json()["detail"]


async def test_the_registry_down_is_a_503(make_app, auth) -> None:
    eligibility_app = await make_app(
        "eligibility", registry_url="http://127.0.0.1:9", http_retries=0
    )
    async with client_for(eligibility_app) as eligibility:
        response = await eligibility.post(
            "/v1/impact",
            json=_impact(["00000000-0000-4000-8000-000000000000"]),
            headers=auth("city_admin"),
        )
    assert response.status_code == 503
    assert response.json()["type"] == "urn:lzms:problem:upstream-unavailable"


async def _act(registry, auth, space: str, act: str, effective_on: str, **extra: str) -> None:
    response = await registry.post(
        f"/v1/spaces/{space}/{act}",
        json={"effective_on": effective_on, "document_no": f"兰科发〔{effective_on}〕", **extra},
        headers=auth("city_admin"),
    )
    assert response.status_code == 201, response.text


async def test_impact_on_every_space_recognised_on_the_date(wired, registry, auth) -> None:
    recognised = await _space_with_teams(registry, auth, 12)
    rectifying = await _space_with_teams(registry, auth, 12)
    revoked_before = await _space_with_teams(registry, auth, 12)
    recognised_after = await _space_with_teams(registry, auth, 12)
    await _space_with_teams(registry, auth, 12)  # an applicant only
    for space in (recognised, rectifying, revoked_before):
        await _act(registry, auth, space, "recognition", "2025-06-01")
    await _act(registry, auth, rectifying, "rectification", "2026-01-10", deadline="2026-12-31")
    await _act(
        registry,
        auth,
        revoked_before,
        "revocation",
        "2025-09-01",
        # failed_assessments would need two failed years on record; the reason is incidental.
        reason="other",
        legal_basis="《办法》第十九条",
    )
    await _act(registry, auth, recognised_after, "recognition", "2026-05-01")
    body = {
        "baseline_ruleset_id": "lz-measures-2018",
        "candidate_ruleset_id": "lz-measures-draft-stricter",
        "registry": {"all_recognised": True, "as_of": AS_OF},
    }
    async with client_for(wired) as eligibility:
        response = await eligibility.post("/v1/impact", json=body, headers=auth("city_admin"))
        both = await eligibility.post(
            "/v1/impact",
            json={**body, "registry": {**body["registry"], "space_ids": [recognised]}},
            headers=auth("city_admin"),
        )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["evaluated"] == 2
    assert {item["space_id"] for item in result["items"]} == {recognised, rectifying}
    assert both.status_code == 422


async def test_what_can_be_refused_here_is_refused_before_the_registry_is_asked(
    make_app, auth
) -> None:
    eligibility_app = await make_app(
        "eligibility", registry_url="http://127.0.0.1:9", http_retries=0
    )
    async with client_for(eligibility_app) as eligibility:
        unknown = await eligibility.post(
            "/v1/impact",
            json={**_impact(["00000000-0000-4000-8000-000000000000"]), "baseline_ruleset_id": "x"},
            headers=auth("city_admin"),
        )
        future = await eligibility.post(
            "/v1/impact",
            json={
                **_impact(["00000000-0000-4000-8000-000000000000"]),
                "registry": {"all_recognised": True, "as_of": "2999-01-01"},
            },
            headers=auth("city_admin"),
        )
    # The registry is unreachable: a 503 here would mean it was asked.
    assert unknown.status_code == 404, unknown.text
    assert future.status_code == 422, future.text
    assert future.json()["errors"][0]["field"] == "body.registry.as_of"


async def _opened_after_the_date(registry, auth) -> str:
    """A space that opened after AS_OF and was recognised since."""
    space = (
        await registry.post(
            "/v1/spaces", json=space_body(opened_on="2026-04-01"), headers=auth("city_admin")
        )
    ).json()["id"]
    await _act(registry, auth, space, "recognition", "2026-05-01")
    return str(space)


async def test_a_space_not_yet_open_on_the_date_was_not_recognised_then(
    wired, registry, auth
) -> None:
    recognised = await _space_with_teams(registry, auth, 12)
    await _act(registry, auth, recognised, "recognition", "2025-06-01")
    await _opened_after_the_date(registry, auth)
    body = {
        "baseline_ruleset_id": "lz-measures-2018",
        "candidate_ruleset_id": "lz-measures-draft-stricter",
        "registry": {"all_recognised": True, "as_of": AS_OF},
    }
    async with client_for(wired) as eligibility:
        response = await eligibility.post("/v1/impact", json=body, headers=auth("city_admin"))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["evaluated"] == 1
    assert [item["space_id"] for item in result["items"]] == [recognised]


async def test_what_the_registry_refuses_is_our_422_naming_the_space(wired, registry, auth) -> None:
    """The registry has no facts of a space before it opened: the caller chose that date, so
    the answer is a 422 of ours that says which space and date, never a 502."""
    later = await _opened_after_the_date(registry, auth)
    async with client_for(wired) as eligibility:
        response = await eligibility.post(
            "/v1/impact", json=_impact([later]), headers=auth("city_admin")
        )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:lzms:problem:registry-refused"
    assert problem["peer_status"] == 422
    [error] = problem["errors"]
    assert error["field"] == "body.registry.as_of"
    assert later in error["message"]
    assert "had not opened" in error["message"]


@pytest.mark.parametrize(
    ("status", "ours"), [(400, 422), (401, 503), (403, 503), (409, 422), (422, 422), (500, 502)]
)
async def test_a_registry_refusal_is_never_our_502(status: int, ours: int) -> None:
    """A 4xx of the registry is an answer: a refused token is the registry unavailable to us
    (503), anything else a refusal the caller reads (422); only its own failure is a 502."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"detail": f"scripted {status}"})

    client = RegistryClient(
        "registry", "http://registry", lambda: "t", retries=0, transport=httpx.MockTransport(answer)
    )
    try:
        with pytest.raises(ProblemError) as raised:
            await client.get_space(uuid.uuid4())
    finally:
        await client.aclose()
    assert raised.value.status == ours
    if ours == 422:
        assert isinstance(raised.value, RegistryRefused)
        assert f"scripted {status}" in raised.value.detail
        assert raised.value.extensions["peer_status"] == status
