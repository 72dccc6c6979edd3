"""Every registry route under a space, called by another district: the same answer as for a
space that does not exist, and nothing of the space in it."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import space_body
from tests.registry.test_conditions import FULL, record_all
from tests.registry.test_documents import _document as document
from tests.registry.test_status import assessment, level, recognition, revocation

OWN, OTHER = "620102", "620103"

BODIES: dict[str, dict[str, Any]] = {
    "recognition": recognition(),
    "rectification": {"effective_on": "2025-01-01", "document_no": "x", "deadline": "2025-06-30"},
    "rectification-end": {"effective_on": "2025-01-01", "document_no": "x"},
    "revocation": revocation(),
    "levels": level(),
    "withdrawal": {"ended_on": "2025-01-01", "document_no": "x", "reason": "y"},
    "assessments": assessment(),
    "corrections": {**assessment(), "reason": "更正"},
    "teams": {"name": "团队", "field": "high_tech", "joined_on": "2024-05-01"},
    "graduation": {"graduated_on": "2025-01-01", "registered_enterprise_name": "公司"},
    "exit": {"exited_on": "2025-01-01"},
    "staff": {"name": "张三", "role": "经理", "started_on": "2024-03-01"},
    "departure": {"ended_on": "2025-01-01"},
    "activities": {"kind": "salon", "title": "沙龙", "held_on": "2024-06-01", "attendance": 5},
    "incidents": {
        "kind": "safety",
        "severity": "major",
        "occurred_on": "2024-07-01",
        "description": "x",
    },
    "listings": {"list_kind": "abnormal_operation", "listed_on": "2024-08-01", "reason": "x"},
    "removal": {"removed_on": "2025-01-01"},
    "documents": document(),
    # PATCH /v1/spaces/{space_id}: the correction.
    "spaces": {"name": "改名", "address": "城关区某路1号"},
    "jurisdiction-changes": {
        "jurisdiction_code": OWN,
        "effective_on": "2025-01-01",
        "document_no": "兰科发〔2025〕1号",
        "reason": "区划调整",
    },
    **{segment.split("/")[0]: body for segment, body in FULL.items()},
}


def _body_for(path: str) -> dict[str, Any]:
    segments = [s for s in path.split("/") if s and not s.startswith("{")]
    return BODIES.get(segments[-1], {})


async def test_every_space_route_answers_another_district_as_for_nothing(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=OTHER, name="别区的秘密空间", opened_on="2024-03-01"),
        headers=auth("city_admin"),
    )
    space = response.json()["id"]
    await record_all(registry, auth, space, OTHER)
    await registry.post(
        f"/v1/spaces/{space}/recognition", json=recognition(), headers=auth("city_admin")
    )
    evidence = await registry.post(
        f"/v1/spaces/{space}/documents", json=document(), headers=auth("city_admin")
    )
    spec = (await registry.get("/openapi.json")).json()
    routes = [
        (path, method.upper())
        for path, operations in spec["paths"].items()
        if path.startswith("/v1/spaces/{space_id}")
        for method in operations
    ]
    assert len(routes) > 40
    other = auth("district_officer", OWN)
    checked = 0
    for route_path, method in routes:
        params = {
            "level_id": uuid.uuid4(),
            "team_id": uuid.uuid4(),
            "staff_id": uuid.uuid4(),
            "listing_id": uuid.uuid4(),
            "document_id": evidence.json()["id"],
            "year": 2024,
        }
        foreign_path = route_path.format(space_id=space, **params)
        missing_path = route_path.format(space_id=uuid.uuid4(), **params)
        body = _body_for(route_path) if method in ("POST", "PUT", "PATCH") else None
        query = {"as_of": "2025-06-30"} if route_path.endswith("/facts") else None
        foreign = await registry.request(
            method, foreign_path, json=body, params=query, headers=other
        )
        missing = await registry.request(
            method, missing_path, json=body, params=query, headers=other
        )
        where = f"{method} {route_path}"
        assert foreign.status_code == missing.status_code, where
        assert foreign.status_code in (403, 404), (where, foreign.text)
        assert foreign.json()["type"] == missing.json()["type"], where
        assert foreign.json()["title"] == missing.json()["title"], where
        assert "别区的秘密空间" not in foreign.text, where
        assert OTHER not in foreign.text, where
        checked += 1
    assert checked > 40
    # And nothing changed: the space's records are as the bureau left them.
    history = await registry.get(f"/v1/spaces/{space}/status-history", headers=auth("auditor"))
    assert [r["act"] for r in history.json()["items"]] == ["registered", "recognition"]
