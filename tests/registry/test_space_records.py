"""What a space reports: teams, staff, activities, incidents and listings, within its scope."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared.db import Database
from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.factories import make_uscc, with_wrong_check

OWN, OTHER = "620102", "620103"
OPENED = "2024-03-01"


def _tomorrow() -> str:
    return (today_in_china() + timedelta(days=1)).isoformat()


def team_body(**overrides: Any) -> dict[str, Any]:
    body = {"name": "兰州微光科技团队", "field": "high_tech", "joined_on": "2024-05-01"}
    body.update(overrides)
    return body


def staff_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "张三",
        "role": "运营经理",
        "qualifications": "中级经济师",
        "started_on": "2024-01-15",
    }
    body.update(overrides)
    return body


def activity_body(**overrides: Any) -> dict[str, Any]:
    body = {"kind": "salon", "title": "创业沙龙第一期", "held_on": "2024-06-01", "attendance": 40}
    body.update(overrides)
    return body


def incident_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "safety",
        "severity": "major",
        "occurred_on": "2024-07-01",
        "description": "消防检查发现重大隐患",
    }
    body.update(overrides)
    return body


def listing_body(**overrides: Any) -> dict[str, Any]:
    body = {"list_kind": "abnormal_operation", "listed_on": "2024-08-01", "reason": "未按期年报"}
    body.update(overrides)
    return body


async def _space(registry, auth, jurisdiction: str = OWN) -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction, opened_on=OPENED),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _post(registry, auth, path: str, body: dict, jurisdiction: str = OWN) -> dict:
    response = await registry.post(path, json=body, headers=auth("district_officer", jurisdiction))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def _items(registry, auth, path: str) -> list[dict]:
    response = await registry.get(path, headers=auth("city_admin"))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _all_records(registry, auth, space: str) -> dict[str, list[dict]]:
    return {
        kind: await _items(registry, auth, f"/v1/spaces/{space}/{kind}?limit=200")
        for kind in ("teams", "staff", "activities", "incidents", "listings")
    }


async def _populated(registry, auth, jurisdiction: str = OWN) -> dict[str, str]:
    """A space with one record of each kind; the ids by kind."""
    space = await _space(registry, auth, jurisdiction)
    base = f"/v1/spaces/{space}"
    return {
        "space": space,
        "team": (await _post(registry, auth, f"{base}/teams", team_body(), jurisdiction))["id"],
        "staff": (await _post(registry, auth, f"{base}/staff", staff_body(), jurisdiction))["id"],
        "activity": (
            await _post(registry, auth, f"{base}/activities", activity_body(), jurisdiction)
        )["id"],
        "incident": (
            await _post(registry, auth, f"{base}/incidents", incident_body(), jurisdiction)
        )["id"],
        "listing": (await _post(registry, auth, f"{base}/listings", listing_body(), jurisdiction))[
            "id"
        ],
    }


def _endpoints(ids: dict[str, str], space: str) -> list[tuple[str, str, dict | None]]:
    base = f"/v1/spaces/{space}"
    team, staff, listing = ids["team"], ids["staff"], ids["listing"]
    return [
        ("POST", f"{base}/teams", team_body()),
        ("GET", f"{base}/teams", None),
        ("GET", f"{base}/teams/{team}", None),
        (
            "POST",
            f"{base}/teams/{team}/graduation",
            {"graduated_on": "2025-01-01", "registered_enterprise_name": "微光有限公司"},
        ),
        ("POST", f"{base}/teams/{team}/exit", {"exited_on": "2025-01-01"}),
        ("POST", f"{base}/staff", staff_body()),
        ("GET", f"{base}/staff", None),
        ("POST", f"{base}/staff/{staff}/departure", {"ended_on": "2025-01-01"}),
        ("POST", f"{base}/activities", activity_body()),
        ("GET", f"{base}/activities", None),
        ("POST", f"{base}/incidents", incident_body()),
        ("GET", f"{base}/incidents", None),
        ("POST", f"{base}/listings", listing_body()),
        ("GET", f"{base}/listings", None),
        ("POST", f"{base}/listings/{listing}/removal", {"removed_on": "2025-01-01"}),
    ]


# --- each record type, created and read ------------------------------------------------------


async def test_team_created_read_and_listed(registry, auth) -> None:
    space = await _space(registry, auth)
    code = make_uscc()
    response = await registry.post(
        f"/v1/spaces/{space}/teams",
        json=team_body(uscc=code.lower()),
        headers=auth("district_officer", OWN),
    )
    assert response.status_code == 201, response.text
    team = response.json()
    assert team["uscc"] == code  # normalised
    assert team["status"] == "in_incubation"
    assert response.headers["location"] == f"/v1/spaces/{space}/teams/{team['id']}"
    read = await registry.get(response.headers["location"], headers=auth("auditor"))
    assert read.status_code == 200
    assert [e["kind"] for e in read.json()["events"]] == ["joined"]
    assert read.json()["events"][0]["occurred_on"] == "2024-05-01"
    listed = await _items(registry, auth, f"/v1/spaces/{space}/teams?status=in_incubation")
    assert [t["id"] for t in listed] == [team["id"]]
    assert await _items(registry, auth, f"/v1/spaces/{space}/teams?field=other") == []


async def test_staff_activity_incident_and_listing_created_and_read(registry, auth) -> None:
    ids = await _populated(registry, auth)
    records = await _all_records(registry, auth, ids["space"])
    assert [r["id"] for r in records["staff"]] == [ids["staff"]]
    assert records["staff"][0]["qualifications"] == "中级经济师"
    assert records["staff"][0]["ended_on"] is None
    assert records["activities"][0]["attendance"] == 40
    assert records["incidents"][0]["severity"] == "major"
    assert records["listings"][0]["removed_on"] is None
    assert records["listings"][0]["list_kind"] == "abnormal_operation"


async def test_activities_filter_by_year_and_kind_and_page(registry, auth) -> None:
    space = await _space(registry, auth)
    base = f"/v1/spaces/{space}/activities"
    for held_on, kind in [
        ("2024-12-31", "salon"),
        ("2025-01-01", "roadshow"),
        ("2025-06-01", "salon"),
        ("2025-12-31", "training"),
    ]:
        await _post(registry, auth, base, activity_body(held_on=held_on, kind=kind))
    in_2025 = await _items(registry, auth, f"{base}?year=2025")
    assert [a["held_on"] for a in in_2025] == ["2025-01-01", "2025-06-01", "2025-12-31"]
    salons = await _items(registry, auth, f"{base}?year=2025&kind=salon")
    assert [a["held_on"] for a in salons] == ["2025-06-01"]
    first = (await registry.get(f"{base}?limit=3", headers=auth("auditor"))).json()
    rest = await registry.get(
        f"{base}?limit=3&cursor={first['next_cursor']}", headers=auth("auditor")
    )
    assert len(first["items"]) == 3
    assert [a["held_on"] for a in rest.json()["items"]] == ["2025-12-31"]
    assert rest.json()["next_cursor"] is None
    bad_kind = await registry.get(f"{base}?kind=party", headers=auth("auditor"))
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "query.kind"


# --- scope -------------------------------------------------------------------------------------


async def test_another_district_gets_404_on_every_endpoint(registry, auth) -> None:
    ids = await _populated(registry, auth, OWN)
    before = await _all_records(registry, auth, ids["space"])
    other = auth("district_officer", OTHER)
    for method, path, body in _endpoints(ids, ids["space"]):
        foreign = await registry.request(method, path, json=body, headers=other)
        missing = await registry.request(
            method, path.replace(ids["space"], str(uuid.uuid4())), json=body, headers=other
        )
        assert foreign.status_code == missing.status_code == 404, (method, path, foreign.text)
        assert (
            foreign.json()["type"] == missing.json()["type"] == ("urn:lzms:problem:space-not-found")
        )
        assert OWN not in foreign.text
    assert await _all_records(registry, auth, ids["space"]) == before


async def test_records_of_another_space_are_404_under_ones_own(registry, auth) -> None:
    theirs = await _populated(registry, auth, OTHER)
    mine = await _populated(registry, auth, OWN)
    own = auth("district_officer", OWN)
    # Another space's record ids, addressed under one's own space.
    for method, path, body in _endpoints(theirs, mine["space"]):
        if path.count("/") <= 4:  # the collection endpoints: not about one record
            continue
        response = await registry.request(method, path, json=body, headers=own)
        assert response.status_code == 404, (method, path, response.text)
    listed = await _all_records(registry, auth, mine["space"])
    for kind, records in listed.items():
        assert {r["space_id"] for r in records} == {mine["space"]}, kind
        assert len(records) == 1, kind


async def test_roles(registry, auth) -> None:
    ids = await _populated(registry, auth, OWN)
    for role in ("auditor", "finance_officer", "service", "city_admin"):
        for method, path, body in _endpoints(ids, ids["space"]):
            response = await registry.request(method, path, json=body, headers=auth(role))
            if method == "GET":
                assert response.status_code == 200, (role, path)
            elif role != "city_admin":
                assert response.status_code == 403, (role, path)
    # An expert not reviewing the space reads nothing of it (404, as for an unknown space) and
    # writes nothing (403).
    expert = auth("expert")
    for method, path, body in _endpoints(ids, ids["space"]):
        response = await registry.request(method, path, json=body, headers=expert)
        assert response.status_code == (404 if method == "GET" else 403), (method, path)


# --- teams: graduation and exit ----------------------------------------------------------------


async def test_graduation_once_and_recorded_as_an_event(registry, auth) -> None:
    ids = await _populated(registry, auth)
    path = f"/v1/spaces/{ids['space']}/teams/{ids['team']}"
    code = make_uscc()
    graduation = {
        "graduated_on": "2025-03-01",
        "registered_enterprise_name": "兰州微光科技有限公司",
        "registered_enterprise_uscc": code,
    }
    headers = auth("district_officer", OWN)
    first = await registry.post(f"{path}/graduation", json=graduation, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "graduated"
    assert first.json()["left_on"] == "2025-03-01"
    assert first.json()["registered_enterprise_uscc"] == code
    again = await registry.post(f"{path}/graduation", json=graduation, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lzms:problem:team-already-left"
    exit_after = await registry.post(
        f"{path}/exit", json={"exited_on": "2025-04-01"}, headers=headers
    )
    assert exit_after.status_code == 409
    events = (await registry.get(path, headers=headers)).json()["events"]
    assert [(e["kind"], e["occurred_on"]) for e in events] == [
        ("joined", "2024-05-01"),
        ("graduated", "2025-03-01"),
    ]
    assert events[1]["registered_enterprise_name"] == "兰州微光科技有限公司"


async def test_exit_once_and_recorded_as_an_event(registry, auth) -> None:
    ids = await _populated(registry, auth)
    path = f"/v1/spaces/{ids['space']}/teams/{ids['team']}"
    headers = auth("city_admin")
    first = await registry.post(f"{path}/exit", json={"exited_on": "2024-05-01"}, headers=headers)
    assert first.status_code == 200, first.text  # the day it joined is allowed
    assert first.json()["status"] == "exited"
    assert first.json()["registered_enterprise_name"] is None
    again = await registry.post(f"{path}/exit", json={"exited_on": "2025-01-01"}, headers=headers)
    assert again.status_code == 409
    events = (await registry.get(path, headers=headers)).json()["events"]
    assert [e["kind"] for e in events] == ["joined", "exited"]


@pytest.mark.parametrize(
    ("code", "rule"),
    [(with_wrong_check(make_uscc()), "uscc_check_character"), ("91620102ABC", "uscc_length")],
)
async def test_graduation_uscc_refused_without_override(registry, auth, code, rule) -> None:
    ids = await _populated(registry, auth)
    path = f"/v1/spaces/{ids['space']}/teams/{ids['team']}"
    response = await registry.post(
        f"{path}/graduation",
        json={
            "graduated_on": "2025-03-01",
            "registered_enterprise_name": "兰州微光科技有限公司",
            "registered_enterprise_uscc": code,
        },
        headers=auth("city_admin"),  # not even the bureau may accept it here
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["field"], e["type"]) for e in errors] == [("body.registered_enterprise_uscc", rule)]
    team = (await registry.get(path, headers=auth("city_admin"))).json()
    assert team["status"] == "in_incubation"
    assert len(team["events"]) == 1


async def test_team_uscc_check_character_refused(registry, auth) -> None:
    space = await _space(registry, auth)
    response = await registry.post(
        f"/v1/spaces/{space}/teams",
        json=team_body(uscc=with_wrong_check(make_uscc())),
        headers=auth("city_admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.uscc"
    assert await _items(registry, auth, f"/v1/spaces/{space}/teams") == []


async def test_joined_on_is_not_before_the_space_opened(registry, auth) -> None:
    # Decision: a space cannot incubate before it operates; an earlier date is a data error
    # (and would contradict the opened_on that C1 counts from). The opening day itself is fine.
    space = await _space(registry, auth)
    path = f"/v1/spaces/{space}/teams"
    headers = auth("district_officer", OWN)
    before = await registry.post(path, json=team_body(joined_on="2024-02-29"), headers=headers)
    assert before.status_code == 422
    assert before.json()["errors"][0]["field"] == "body.joined_on"
    assert (
        await registry.post(path, json=team_body(joined_on=OPENED), headers=headers)
    ).status_code == 201


async def test_graduation_before_joining_is_refused(registry, auth) -> None:
    ids = await _populated(registry, auth)
    path = f"/v1/spaces/{ids['space']}/teams/{ids['team']}/exit"
    response = await registry.post(
        path, json={"exited_on": "2024-04-30"}, headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.exited_on"


# --- staff and listings: set once --------------------------------------------------------------


async def test_departure_is_an_end_date_set_once_and_not_before_the_start(registry, auth) -> None:
    ids = await _populated(registry, auth)
    path = f"/v1/spaces/{ids['space']}/staff/{ids['staff']}/departure"
    headers = auth("district_officer", OWN)
    early = await registry.post(path, json={"ended_on": "2024-01-14"}, headers=headers)
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "body.ended_on"
    done = await registry.post(path, json={"ended_on": "2024-01-15"}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["ended_on"] == "2024-01-15"
    again = await registry.post(path, json={"ended_on": "2024-02-01"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lzms:problem:staff-already-departed"
    staff = await _items(registry, auth, f"/v1/spaces/{ids['space']}/staff")
    assert [m["ended_on"] for m in staff] == ["2024-01-15"]  # kept, not deleted
    assert await _items(registry, auth, f"/v1/spaces/{ids['space']}/staff?serving=true") == []


async def test_listing_removal_once(registry, auth) -> None:
    ids = await _populated(registry, auth)
    path = f"/v1/spaces/{ids['space']}/listings/{ids['listing']}/removal"
    headers = auth("district_officer", OWN)
    early = await registry.post(path, json={"removed_on": "2024-07-31"}, headers=headers)
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "body.removed_on"
    done = await registry.post(path, json={"removed_on": "2024-12-01"}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["removed_on"] == "2024-12-01"
    again = await registry.post(path, json={"removed_on": "2024-12-02"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:lzms:problem:listing-already-removed"
    listings = await _items(registry, auth, f"/v1/spaces/{ids['space']}/listings")
    assert [x["removed_on"] for x in listings] == ["2024-12-01"]
    assert await _items(registry, auth, f"/v1/spaces/{ids['space']}/listings?current=true") == []


# --- ends with their reason and supporting document ------------------------------------------


def document_body(**overrides: Any) -> dict[str, Any]:
    content = b"%PDF-1.4 exit notice"
    body: dict[str, Any] = {
        "kind": "other",
        "title": "退出说明",
        "issuer": "兰州某众创空间",
        "issued_on": "2024-12-01",
        "supports": ["incubation", "staff", "compliance"],
        "sha256": hashlib.sha256(content).hexdigest(),
        "size_bytes": len(content),
        "media_type": "application/pdf",
        "filename": "退出说明.pdf",
    }
    body.update(overrides)
    return body


def _ends(ids: dict[str, str]) -> list[tuple[str, dict[str, Any], str]]:
    """Each end a space records: (its path, its body, the list that shows it)."""
    base = f"/v1/spaces/{ids['space']}"
    return [
        (f"{base}/teams/{ids['team']}/exit", {"exited_on": "2024-12-10"}, "teams"),
        (f"{base}/staff/{ids['staff']}/departure", {"ended_on": "2024-12-10"}, "staff"),
        (f"{base}/listings/{ids['listing']}/removal", {"removed_on": "2024-12-10"}, "listings"),
    ]


async def test_exit_departure_and_removal_keep_their_reason_and_document(registry, auth) -> None:
    ids = await _populated(registry, auth)
    base = f"/v1/spaces/{ids['space']}"
    document = (await _post(registry, auth, f"{base}/documents", document_body()))["id"]
    reason = "合同期满，经评估退出 " + "理" * 980  # up to 1,000 characters
    for path, body, listed in _ends(ids):
        response = await registry.post(
            path,
            json={**body, "reason": f"  {reason}  ", "document_id": document},
            headers=auth("district_officer", OWN),
        )
        assert response.status_code == 200, response.text
        written = response.json()
        if listed == "teams":
            # The exit is the team's last event; the answer is the team as its GET shows it.
            read = await registry.get(f"{base}/teams/{ids['team']}", headers=auth("auditor"))
            assert written == read.json()
            end = written["events"][-1]
            assert (end["kind"], end["reason"], end["document_id"]) == ("exited", reason, document)
            assert written["events"][0]["reason"] is None
        else:
            assert [written] == await _items(registry, auth, f"{base}/{listed}")
            prefix = "departure" if listed == "staff" else "removal"
            assert (written[f"{prefix}_reason"], written[f"{prefix}_document_id"]) == (
                reason,
                document,
            )


async def test_an_end_without_reason_or_document_shows_none(registry, auth) -> None:
    ids = await _populated(registry, auth)
    base = f"/v1/spaces/{ids['space']}"
    for path, body, _ in _ends(ids):
        response = await registry.post(path, json=body, headers=auth("city_admin"))
        assert response.status_code == 200, response.text
    team = (await registry.get(f"{base}/teams/{ids['team']}", headers=auth("city_admin"))).json()
    assert (team["events"][-1]["reason"], team["events"][-1]["document_id"]) == (None, None)
    (staff,) = await _items(registry, auth, f"{base}/staff")
    assert (staff["departure_reason"], staff["departure_document_id"]) == (None, None)
    (listing,) = await _items(registry, auth, f"{base}/listings")
    assert (listing["removal_reason"], listing["removal_document_id"]) == (None, None)


async def test_an_end_names_only_a_document_of_its_own_space(registry, auth) -> None:
    """Another space's document, another district's, or none: 422 naming body.document_id,
    worded alike (another district's document is not told apart from a missing one); another
    district's space is 404; a blank or overlong reason is 422. Nothing changes."""
    ids = await _populated(registry, auth)
    sibling = await _space(registry, auth)
    theirs = await _space(registry, auth, OTHER)
    of_sibling = await _post(registry, auth, f"/v1/spaces/{sibling}/documents", document_body())
    of_theirs = await _post(
        registry, auth, f"/v1/spaces/{theirs}/documents", document_body(), OTHER
    )
    before = await _all_records(registry, auth, ids["space"])
    officer = auth("district_officer", OWN)
    for path, body, _ in _ends(ids):
        details = []
        for document in (of_sibling["id"], of_theirs["id"], str(uuid.uuid4())):
            response = await registry.post(
                path, json={**body, "document_id": document}, headers=officer
            )
            assert response.status_code == 422, response.text
            problem = response.json()
            assert [e["field"] for e in problem["errors"]] == ["body.document_id"]
            details.append(problem["detail"].replace(document, "<id>"))
        assert len(set(details)) == 1, details
        for reason in ("   ", "理" * 1001):
            response = await registry.post(path, json={**body, "reason": reason}, headers=officer)
            assert response.status_code == 422, response.text
            assert [e["field"] for e in response.json()["errors"]] == ["body.reason"]
        elsewhere = path.replace(ids["space"], theirs)
        response = await registry.post(
            elsewhere, json={**body, "document_id": of_theirs["id"]}, headers=officer
        )
        assert response.status_code == 404, response.text
    assert await _all_records(registry, auth, ids["space"]) == before


# --- validation: a refusal names the field and changes nothing -------------------------------


def _invalid_requests(ids: dict[str, str]) -> list[tuple[str, dict, str]]:
    base = f"/v1/spaces/{ids['space']}"
    tomorrow = _tomorrow()
    team = f"{base}/teams/{ids['team']}"
    return [
        (f"{base}/teams", team_body(joined_on=tomorrow), "body.joined_on"),
        (f"{base}/teams", team_body(field="agriculture"), "body.field"),
        (f"{base}/teams", team_body(name="  "), "body.name"),
        (f"{base}/teams", team_body(name="x" * 201), "body.name"),
        (
            f"{team}/graduation",
            {"graduated_on": tomorrow, "registered_enterprise_name": "某公司"},
            "body.graduated_on",
        ),
        (f"{team}/graduation", {"graduated_on": "2025-01-01"}, "body.registered_enterprise_name"),
        (f"{team}/exit", {"exited_on": tomorrow}, "body.exited_on"),
        (f"{base}/staff", staff_body(started_on=tomorrow), "body.started_on"),
        (f"{base}/staff", staff_body(role=""), "body.role"),
        (f"{base}/staff/{ids['staff']}/departure", {"ended_on": tomorrow}, "body.ended_on"),
        (f"{base}/activities", activity_body(held_on=tomorrow), "body.held_on"),
        (f"{base}/activities", activity_body(held_on="2024-02-29"), "body.held_on"),
        (f"{base}/activities", activity_body(attendance=-1), "body.attendance"),
        (f"{base}/activities", activity_body(attendance=100_001), "body.attendance"),
        (f"{base}/activities", activity_body(kind="party"), "body.kind"),
        (f"{base}/incidents", incident_body(occurred_on=tomorrow), "body.occurred_on"),
        (f"{base}/incidents", incident_body(severity="minor"), "body.severity"),
        (f"{base}/incidents", incident_body(kind="fraud"), "body.kind"),
        (f"{base}/listings", listing_body(listed_on=tomorrow), "body.listed_on"),
        (f"{base}/listings", listing_body(list_kind="blacklist"), "body.list_kind"),
        (f"{base}/listings/{ids['listing']}/removal", {"removed_on": tomorrow}, "body.removed_on"),
    ]


async def test_each_refusal_names_the_field_and_changes_nothing(registry, auth) -> None:
    ids = await _populated(registry, auth)
    before = await _all_records(registry, auth, ids["space"])
    team_before = (
        await registry.get(
            f"/v1/spaces/{ids['space']}/teams/{ids['team']}", headers=auth("auditor")
        )
    ).json()
    for path, body, field in _invalid_requests(ids):
        response = await registry.post(path, json=body, headers=auth("district_officer", OWN))
        assert response.status_code == 422, (path, body, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], (path, body)
    assert await _all_records(registry, auth, ids["space"]) == before
    team_after = (
        await registry.get(
            f"/v1/spaces/{ids['space']}/teams/{ids['team']}", headers=auth("auditor")
        )
    ).json()
    assert team_after == team_before


async def test_today_is_not_the_future(registry, auth) -> None:
    space = await _space(registry, auth)
    today = today_in_china().isoformat()
    response = await registry.post(
        f"/v1/spaces/{space}/incidents",
        json=incident_body(occurred_on=today),
        headers=auth("city_admin"),
    )
    assert response.status_code == 201
    assert date.fromisoformat(response.json()["occurred_on"]) == today_in_china()


# --- append-only in the database itself -------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE team_events SET occurred_on = '2020-01-01'",
        "DELETE FROM team_events",
        "UPDATE compliance_incidents SET severity = 'ordinary'",
        "DELETE FROM compliance_incidents",
    ],
)
async def test_database_refuses_update_and_delete(registry_app, registry, auth, statement) -> None:
    ids = await _populated(registry, auth)
    database: Database = registry_app.state.database
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    records = await _all_records(registry, auth, ids["space"])
    assert records["incidents"][0]["severity"] == "major"
    team = await registry.get(
        f"/v1/spaces/{ids['space']}/teams/{ids['team']}", headers=auth("auditor")
    )
    assert team.json()["events"][0]["occurred_on"] == "2024-05-01"
