"""Evaluations over HTTP: stored receipts, replay, scope, batch, what-if and impact."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from services.eligibility.evaluations.models import DecisionReceipt
from shared.canonical import canonical_json
from tests.conftest import client_for
from tests.eligibility.conftest import registered_space
from tests.eligibility.factories import cohort, request


@pytest.fixture
async def eligibility_app(wired):
    return wired


@pytest.fixture
async def eligibility(eligibility_app):
    async with client_for(eligibility_app) as client:
        yield client


async def test_a_receipt_is_stored_and_explains_itself(eligibility, auth) -> None:
    body = request(premises={"service_area_m2": "480"})
    created = await eligibility.post("/v1/evaluations", json=body, headers=auth("expert"))
    assert created.status_code == 201, created.text
    receipt = created.json()
    assert created.headers["location"] == f"/v1/evaluations/{receipt['id']}"
    decision = receipt["decision"]
    assert decision["verdict"] == "not_eligible"
    assert decision["ruleset"]["id"] == "lz-measures-2018"
    assert len(decision["ruleset"]["content_hash"]) == 64
    assert decision["engine_version"]
    c2 = next(c for c in decision["conditions"] if c["id"] == "C2")
    assert c2["verdict"] == "not_met"
    assert "not met. Service area 480 m², 20 m² short of 500 m²" in c2["explanation_en"]
    assert "服务场地面积480平方米，比500平方米少20平方米" in c2["explanation_zh"]
    assert receipt["requested_by"] == "test-expert-all"
    fetched = await eligibility.get(f"/v1/evaluations/{receipt['id']}", headers=auth("auditor"))
    assert fetched.json() == receipt


async def test_replay_reproduces_the_receipt(eligibility, auth) -> None:
    created = (
        await eligibility.post("/v1/evaluations", json=request(), headers=auth("city_admin"))
    ).json()
    replay = await eligibility.get(
        f"/v1/evaluations/{created['id']}/replay", headers=auth("auditor")
    )
    assert replay.status_code == 200
    assert replay.json()["identical"] is True
    assert replay.json()["differences"] == []


async def test_replay_detects_a_changed_ruleset(
    eligibility_app, eligibility, auth, monkeypatch
) -> None:
    """If the pinned ruleset's content no longer matches, replay says so instead of re-deciding."""
    created = (
        await eligibility.post("/v1/evaluations", json=request(), headers=auth("city_admin"))
    ).json()
    book = eligibility_app.state.rulesets
    loaded = book.get("lz-measures-2018")
    monkeypatch.setitem(book._by_id, "lz-measures-2018", replace(loaded, content_hash="0" * 64))
    replay = (
        await eligibility.get(f"/v1/evaluations/{created['id']}/replay", headers=auth("auditor"))
    ).json()
    assert replay["identical"] is False
    assert replay["same_outcome"] is False
    assert replay["differences"] == ["ruleset.content_hash"]


async def test_a_receipt_of_an_earlier_engine_replays_to_the_same_outcome(
    eligibility_app, eligibility, auth
) -> None:
    """Engine 1.0.0 quoted codes in Chinese sentences (认证检测 was ``certification_testing``).
    Its receipts
    are kept as written; replay says they are not identical, names the sentences, and that the
    outcome (verdicts, findings, facts, shortfalls) is the same."""
    body = request(services={"coordinated_services": ["rd_design"]})
    created = (
        await eligibility.post("/v1/evaluations", json=body, headers=auth("city_admin"))
    ).json()
    decision = json.loads(json.dumps(created["decision"]))
    decision["engine_version"] = "1.0.0"
    c7 = next(c for c in decision["conditions"] if c["id"] == "C7")
    index = decision["conditions"].index(c7)
    for text in (c7, *c7["findings"]):
        text["explanation_zh"] = text["explanation_zh"].replace("认证检测", "certification_testing")
    async with eligibility_app.state.database.engine.begin() as connection:
        row = (
            await connection.execute(
                sa.select(DecisionReceipt.__table__).where(
                    DecisionReceipt.id == uuid.UUID(created["id"])
                )
            )
        ).one()
        old_id = uuid.uuid4()
        await connection.execute(
            sa.insert(DecisionReceipt.__table__).values(
                {
                    **row._mapping,
                    "id": old_id,
                    "engine_version": "1.0.0",
                    "decision": canonical_json(decision),
                }
            )
        )
    replay = (
        await eligibility.get(f"/v1/evaluations/{old_id}/replay", headers=auth("auditor"))
    ).json()
    assert (replay["identical"], replay["same_outcome"]) == (False, True)
    assert "engine_version" in replay["differences"]
    assert f"conditions[{index}].explanation_zh" in replay["differences"]
    assert "certification_testing" in json.dumps(decision, ensure_ascii=False)
    current = (
        await eligibility.get(f"/v1/evaluations/{created['id']}/replay", headers=auth("auditor"))
    ).json()
    assert (current["identical"], current["same_outcome"], current["differences"]) == (
        True,
        True,
        [],
    )


async def test_receipts_cannot_be_changed(eligibility_app, eligibility, auth) -> None:
    await eligibility.post("/v1/evaluations", json=request(), headers=auth("city_admin"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with eligibility_app.state.database.engine.begin() as connection:
            await connection.execute(sa.text("UPDATE decision_receipts SET verdict = 'eligible'"))


async def test_no_ruleset_in_force_is_a_clear_422(eligibility, auth) -> None:
    from datetime import date

    response = await eligibility.post(
        "/v1/evaluations", json=request(date(2018, 6, 1)), headers=auth("city_admin")
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:lzms:problem:no-ruleset-in-force"
    assert "2018-06-01" in body["detail"]
    assert "lz-measures-2018" in body["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"premises": {"service_area_m2": "-1"}}, "body.facts.premises.service_area_m2"),
        ({"premises": {"service_area_m2": "2000"}}, "body.facts.premises"),  # above the total
        (
            {"premises": {"lease_start": "2027-01-01", "lease_end": "2026-01-01"}},
            "body.facts.premises",
        ),
        ({"form": "floating"}, "body.facts.form"),
        (
            {"incubation": {"teams_in_incubation": 3, "teams_in_supported_fields": 5}},
            "body.facts.incubation",
        ),
        ({"staff": {"management_staff": -2}}, "body.facts.staff.management_staff"),
        ({"operating_since": "2027-01-01"}, "body.facts"),  # after the facts' date
    ],
)
async def test_bad_facts_are_422_naming_the_field(eligibility, auth, change, field) -> None:
    response = await eligibility.post(
        "/v1/evaluations", json=request(**change), headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_facts_must_be_of_the_application_date(eligibility, auth) -> None:
    body = request()
    body["application_date"] = "2026-03-17"
    response = await eligibility.post("/v1/evaluations", json=body, headers=auth("city_admin"))
    assert response.status_code == 422
    assert "must be the application date" in response.json()["detail"]


async def test_a_district_decides_and_reads_only_its_own(eligibility, auth) -> None:
    own = auth("district_officer", "620102")
    other = auth("district_officer", "620103")
    created = await eligibility.post("/v1/evaluations", json=request(), headers=own)
    assert created.status_code == 201
    receipt_id = created.json()["id"]
    refused = await eligibility.post("/v1/evaluations", json=request(), headers=other)
    assert refused.status_code == 403
    assert "620103" in refused.json()["detail"]
    assert (
        await eligibility.get(f"/v1/evaluations/{receipt_id}", headers=other)
    ).status_code == 404
    assert (
        await eligibility.get(f"/v1/evaluations/{receipt_id}/replay", headers=other)
    ).status_code == 404
    listed = (await eligibility.get("/v1/evaluations", headers=other)).json()
    assert listed["items"] == []
    mine = (await eligibility.get("/v1/evaluations", headers=own)).json()
    assert [r["id"] for r in mine["items"]] == [receipt_id]


def _same_problem(a: dict, b: dict, a_id: str, b_id: str) -> None:
    """Two problem documents that differ in nothing but the id asked about (and request id)."""
    for body in (a, b):
        body.pop("request_id")
    assert a == json.loads(json.dumps(b).replace(b_id, a_id))


async def test_a_district_files_receipts_only_for_its_own_spaces(
    eligibility, registry, auth
) -> None:
    """A district claiming its own jurisdiction in the facts of another district's space gets
    the same 404 as for a space the registry lacks, and nothing is stored."""
    theirs = await registered_space(registry, auth, "620102")
    ours = await registered_space(registry, auth, "620103")
    officer = auth("district_officer", "620103")
    claim = {"jurisdiction_code": "620103"}
    foreign = await eligibility.post(
        "/v1/evaluations", json=request(space_id=theirs, **claim), headers=officer
    )
    unknown_id = str(uuid.uuid4())
    unknown = await eligibility.post(
        "/v1/evaluations", json=request(space_id=unknown_id, **claim), headers=officer
    )
    assert foreign.status_code == unknown.status_code == 404, foreign.text
    assert foreign.json()["type"] == "urn:lzms:problem:space-not-found"
    _same_problem(foreign.json(), unknown.json(), theirs, unknown_id)
    assert (await eligibility.get("/v1/evaluations", headers=auth("auditor"))).json()["items"] == []

    own = await eligibility.post(
        "/v1/evaluations", json=request(space_id=ours, **claim), headers=officer
    )
    assert own.status_code == 201, own.text
    assert own.json()["space_id"] == ours
    bureau = await eligibility.post(
        "/v1/evaluations", json=request(space_id=theirs), headers=auth("city_admin")
    )
    assert bureau.status_code == 201, bureau.text
    filed = (
        await eligibility.get(f"/v1/evaluations?space_id={theirs}", headers=auth("auditor"))
    ).json()["items"]
    assert [(r["id"], r["jurisdiction_code"]) for r in filed] == [(bureau.json()["id"], "620102")]
    seen_by_620102 = (
        await eligibility.get("/v1/evaluations", headers=auth("district_officer", "620102"))
    ).json()["items"]
    assert [r["id"] for r in seen_by_620102] == [bureau.json()["id"]]


async def test_the_bureau_files_a_receipt_under_the_registrys_jurisdiction(
    eligibility, registry, auth
) -> None:
    """The registry says where a space belongs: facts claiming another jurisdiction are refused
    (nothing stored), facts claiming none are filed under the registry's."""
    space = await registered_space(registry, auth, "620102")
    admin = auth("city_admin")
    wrong = await eligibility.post(
        "/v1/evaluations", json=request(space_id=space, jurisdiction_code="620104"), headers=admin
    )
    assert wrong.status_code == 422, wrong.text
    [error] = wrong.json()["errors"]
    assert error["field"] == "body.facts.jurisdiction_code"
    assert "620102" in error["message"]
    unknown = await eligibility.post(
        "/v1/evaluations", json=request(space_id=str(uuid.uuid4())), headers=admin
    )
    assert unknown.status_code == 404
    unclaimed = await eligibility.post(
        "/v1/evaluations", json=request(space_id=space, jurisdiction_code=None), headers=admin
    )
    assert unclaimed.status_code == 201, unclaimed.text
    listed = (await eligibility.get("/v1/evaluations", headers=admin)).json()["items"]
    assert [(r["space_id"], r["jurisdiction_code"]) for r in listed] == [(space, "620102")]


async def test_facts_naming_no_space_are_answered_but_filed_under_none(
    eligibility, registry, auth
) -> None:
    """Without a space id the decision is made and kept, under the district's jurisdiction and
    under no space: no space's receipts show it."""
    space = await registered_space(registry, auth, "620102")
    officer = auth("district_officer", "620102")
    created = await eligibility.post("/v1/evaluations", json=request(), headers=officer)
    assert created.status_code == 201, created.text
    assert created.json()["space_id"] is None
    [listed] = (await eligibility.get("/v1/evaluations", headers=officer)).json()["items"]
    assert (listed["space_id"], listed["jurisdiction_code"]) == (None, "620102")
    for reader in (officer, auth("city_admin")):
        under_space = await eligibility.get(f"/v1/evaluations?space_id={space}", headers=reader)
        assert under_space.json()["items"] == []


async def test_a_service_files_facts_as_given_without_asking_the_registry_back(
    make_app, auth
) -> None:
    """The registry submits facts it assembled itself (service token): they are filed as
    given, and the registry, unreachable here, is not asked about its own space."""
    app = await make_app("eligibility", registry_url="http://127.0.0.1:9", http_retries=0)
    space = str(uuid.uuid4())
    async with client_for(app) as eligibility:
        created = await eligibility.post(
            "/v1/evaluations", json=request(space_id=space), headers=auth("service")
        )
        refused = await eligibility.post(
            "/v1/evaluations", json=request(space_id=space), headers=auth("city_admin")
        )
    assert created.status_code == 201, created.text
    assert created.json()["space_id"] == space
    assert refused.status_code == 503  # anyone else's is checked with the registry


async def test_finance_officers_do_not_decide(eligibility, auth) -> None:
    response = await eligibility.post(
        "/v1/evaluations", json=request(), headers=auth("finance_officer")
    )
    assert response.status_code == 403


async def test_idempotent_evaluation(eligibility, auth) -> None:
    headers = {**auth("city_admin"), "Idempotency-Key": "eval-1"}
    first = await eligibility.post("/v1/evaluations", json=request(), headers=headers)
    second = await eligibility.post("/v1/evaluations", json=request(), headers=headers)
    assert second.json()["id"] == first.json()["id"]
    listed = (await eligibility.get("/v1/evaluations", headers=auth("auditor"))).json()
    assert len(listed["items"]) == 1


@pytest.mark.backends("sqlite")
async def test_batch_is_not_stored_and_counts_verdicts(eligibility, auth) -> None:
    items = cohort(50)
    response = await eligibility.post(
        "/v1/evaluations/batch", json={"items": items}, headers=auth("city_admin")
    )
    assert response.status_code == 200
    result = response.json()
    assert len(result["items"]) == 50
    assert sum(result["counts"].values()) == 50
    assert [item["index"] for item in result["items"]] == list(range(50))
    stored = (await eligibility.get("/v1/evaluations", headers=auth("auditor"))).json()
    assert stored["items"] == []


@pytest.mark.backends("sqlite")
async def test_batch_limit(eligibility, auth) -> None:
    response = await eligibility.post(
        "/v1/evaluations/batch", json={"items": []}, headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.items"


@pytest.mark.backends("sqlite")
async def test_what_if_under_the_draft(eligibility, auth) -> None:
    body = {
        **request(premises={"service_area_m2": "550"}),
        "ruleset_id": "lz-measures-draft-stricter",
    }
    response = await eligibility.post("/v1/what-if", json=body, headers=auth("expert"))
    assert response.status_code == 200
    decision = response.json()
    assert decision["ruleset"]["status"] == "draft"
    c2 = next(c for c in decision["conditions"] if c["id"] == "C2")
    assert "50 m² short of 600 m²" in c2["explanation_en"]
    unknown = await eligibility.post(
        "/v1/what-if", json={**body, "ruleset_id": "nope"}, headers=auth("expert")
    )
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:lzms:problem:ruleset-not-found"
    # A what-if changes nothing, so it leaves nothing in the audit log either.
    audit = (await eligibility.get("/v1/audit-log", headers=auth("auditor"))).json()
    assert audit["items"] == []


@pytest.mark.backends("sqlite")
async def test_impact_of_the_draft_on_a_cohort(eligibility, auth) -> None:
    items = cohort(300)
    response = await eligibility.post(
        "/v1/impact",
        json={
            "baseline_ruleset_id": "lz-measures-2018",
            "candidate_ruleset_id": "lz-measures-draft-stricter",
            "items": items,
        },
        headers=auth("city_admin"),
    )
    assert response.status_code == 200
    result = response.json()
    assert result["evaluated"] == 300
    assert result["changed"] == len(result["items"]) > 0
    # Stricter thresholds only ever take spaces out, never let one in.
    assert not [
        item
        for item in result["items"]
        if item["baseline"] == "not_eligible" and item["candidate"] != "not_eligible"
    ]
    moved = [item for item in result["items"] if item["baseline"] == "needs_review"]
    assert moved, "some spaces the 2018 rules pass must fail the draft"
    causes = {
        (c["condition"], name) for item in moved for c in item["causes"] for name in c["parameters"]
    }
    assert causes <= {
        ("C1", "space_min_operation"),
        ("C2", "comprehensive_min_service_area"),
        ("C2", "comprehensive_min_workstations"),
        ("C2", "specialised_min_service_area"),
        ("C3", "min_teams"),
        ("C5", "min_staff"),
    }
    example = moved[0]["causes"][0]
    _name, change = next(iter(example["parameters"].items()))
    assert change["baseline"] != change["candidate"]


@pytest.mark.backends("sqlite")
async def test_rulesets_are_published_with_their_hash(eligibility, auth) -> None:
    listed = (await eligibility.get("/v1/rulesets", headers=auth("auditor"))).json()
    assert [(r["id"], r["status"]) for r in listed] == [
        ("lz-measures-2018", "in_force"),
        ("lz-measures-draft-stricter", "draft"),
    ]
    detail = (
        await eligibility.get("/v1/rulesets/lz-measures-2018", headers=auth("auditor"))
    ).json()
    assert detail["content_hash"] == listed[0]["content_hash"]
    c2 = next(c for c in detail["conditions"] if c["id"] == "C2")
    assert c2["parameters"]["comprehensive_min_service_area"]["value"] == 500
    schema = (await eligibility.get("/v1/facts-schema", headers=auth("auditor"))).json()
    assert "premises" in schema["properties"]


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("path", ["/v1/evaluations/batch", "/v1/impact"])
@pytest.mark.parametrize(
    ("content", "content_type", "status", "error"),
    [
        (b'{"items": ', "application/json", 422, ("json_invalid", "body.10")),
        (b"\xc4T\xa7\x9c]rd;", "application/json", 400, None),
        (b"", "application/json", 422, ("missing", "body")),
        (b'{"items": []}', "text/plain", 422, ("model_attributes_type", "body")),
        (b'{"items": [{"facts": {}}], "zzz": 1}', "application/json", 422, None),
    ],
)
async def test_bulk_bodies_read_directly_fail_as_fastapi_would(
    eligibility, auth, path, content, content_type, status, error
) -> None:
    """Batch and impact read their bodies with pydantic's JSON parser; a bad body gets the
    same problem FastAPI gives every other route."""
    response = await eligibility.post(
        path, content=content, headers={**auth("city_admin"), "Content-Type": content_type}
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if error is not None:
        first = response.json()["errors"][0]
        assert (first["type"], first["field"]) == error


async def test_bulk_request_bodies_stay_in_the_contract(eligibility) -> None:
    contract = (await eligibility.get("/openapi.json")).json()
    for path, model in (("/v1/evaluations/batch", "BatchRequest"), ("/v1/impact", "ImpactRequest")):
        body = contract["paths"][path]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"]["$ref"].endswith(f"/{model}")
        assert model in contract["components"]["schemas"]
    assert "RegistrySpaces" in contract["components"]["schemas"]


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("day", "accepted"),
    [
        ("0001-01-01", False),
        ("1999-12-31", False),
        ("2000-01-01", True),
        ("2100-12-31", True),
        ("2101-01-01", False),
    ],
)
async def test_the_date_judged_is_within_the_calendar_the_rules_look_back_over(
    eligibility, auth, day, accepted
) -> None:
    """Year 1 was a 500 (a look-back of whole calendar years left the calendar); out of
    2000-2100 it is a 422 naming the field, at the edges it is judged."""
    body = {"application_date": day, "facts": {"as_of": day, "form": "virtual"}}
    response = await eligibility.post(
        "/v1/evaluations/batch",
        json={"items": [body], "ruleset_id": "lz-measures-2018"},
        headers=auth("city_admin"),
    )
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "body.items.0.application_date"
