"""Operators (运营主体): the credit code's rules, the bureau's override, scope, ETags, history."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from stdnum.cn import uscc as stdnum_uscc

from services.registry.operators.uscc import ALPHABET, UsccRule, check_uscc
from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.factories import make_uscc

OWN, OTHER = "620102", "620103"
EXAMPLE = "91110000600037341L"  # DOMAIN.md's valid example
# The example with every other check character: each is wrong, and the right one is L.
WRONG_CHECK = "91110000600037341M"


def operator_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uscc": make_uscc(),
        "name": f"兰州测试科技有限公司-{uuid.uuid4().hex[:6]}",
        "kind": "enterprise",
        "founded_on": "2019-05-20",
        "registered_address": "甘肃省兰州市城关区天水南路222号",
        "registered_in_lanzhou": True,
        "jurisdiction_code": OWN,
    }
    body.update(overrides)
    return body


async def _create(registry, auth, jurisdiction: str = OWN, **overrides) -> dict:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(jurisdiction_code=jurisdiction, **overrides),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _all(registry, auth) -> list[dict]:
    response = await registry.get("/v1/operators?limit=200", headers=auth("city_admin"))
    assert response.status_code == 200
    return response.json()["items"]


async def _audit_records(registry, auth) -> list[dict]:
    response = await registry.get("/v1/audit-log?limit=200", headers=auth("auditor"))
    assert response.status_code == 200
    return response.json()["items"]


# --- the code's rules, without HTTP ---------------------------------------------------------


def test_domain_example_is_valid() -> None:
    check = check_uscc(EXAMPLE)
    assert check.valid
    assert check.code == EXAMPLE


def test_stdnum_check_character_is_the_domain_formula() -> None:
    weights = [3 ** (i - 1) % 31 for i in range(1, 18)]
    assert weights == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    rng = random.Random(20260101)
    for _ in range(500):
        body = "".join(rng.choice(ALPHABET) for _ in range(17))
        total = sum(ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
        assert stdnum_uscc.calc_check_digit(body) == ALPHABET[(31 - total % 31) % 31]


def test_alphabet_is_the_31_characters() -> None:
    assert len(ALPHABET) == 31
    assert set(ALPHABET) == set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set("IOSVZ")


def test_agrees_with_stdnum_on_digit_led_codes() -> None:
    # Where stdnum's stricter format (positions 1-8 digits) holds, the verdicts must agree.
    rng = random.Random(7)
    for _ in range(500):
        body = rng.choice("123456789") + "".join(rng.choice("0123456789") for _ in range(7))
        body += "".join(rng.choice(ALPHABET) for _ in range(9))
        code = body + rng.choice(ALPHABET)
        assert check_uscc(code).valid == stdnum_uscc.is_valid(code), code


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_letter_authorities_are_valid_though_stdnum_refuses_them(authority) -> None:
    code = make_uscc(authority=authority)
    assert check_uscc(code).valid
    assert not stdnum_uscc.is_valid(code)  # why stdnum's validate() is not used


@pytest.mark.parametrize(
    ("raw", "rule", "fragment"),
    [
        (EXAMPLE[:17], UsccRule.LENGTH, "has 17 characters"),
        (EXAMPLE + "0", UsccRule.LENGTH, "has 19 characters"),
        ("", UsccRule.LENGTH, "has 0 characters"),
        *(
            (
                EXAMPLE[:9] + letter + EXAMPLE[10:],
                UsccRule.CHARACTER_SET,
                f"'{letter}' at position 10",
            )
            for letter in "IOSVZ"
        ),
        (EXAMPLE[:17] + "*", UsccRule.CHARACTER_SET, "'*' at position 18"),
        ("0" + EXAMPLE[1:], UsccRule.REGISTERING_AUTHORITY, "is '0'"),
        ("B" + EXAMPLE[1:], UsccRule.REGISTERING_AUTHORITY, "is 'B'"),
        (EXAMPLE[:2] + "A" + EXAMPLE[3:], UsccRule.REGION_CODE, "'A10000'"),
        (WRONG_CHECK, UsccRule.CHECK_CHARACTER, "is 'M' but"),
    ],
)
def test_each_broken_rule_is_named(raw, rule, fragment) -> None:
    check = check_uscc(raw)
    assert check.problem is not None
    assert check.problem.rule is rule
    assert fragment in check.problem.message
    assert check.only_check_character_wrong is (rule is UsccRule.CHECK_CHARACTER)


def test_wrong_check_character_names_the_right_one() -> None:
    for wrong in ALPHABET.replace("L", ""):
        problem = check_uscc(EXAMPLE[:17] + wrong).problem
        assert problem is not None
        assert problem.expected_check_character == "L"
        assert "must be 'L'" in problem.message


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341l",
        " 9111 0000 6000 3734 1L ",
        "".join(chr(ord(c) + 0xFEE0) for c in EXAMPLE),
    ],
)
def test_spaces_case_and_full_width_are_normalised(raw) -> None:
    check = check_uscc(raw)
    assert check.valid
    assert check.code == EXAMPLE


# --- registering through the API ------------------------------------------------------------


async def test_register_normalises_and_sets_location_and_etag(registry, auth) -> None:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=" 9111 0000 6000 3734 1l", kind="university"),
        headers=auth("district_officer", OWN, sub="officer-1"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["uscc"] == EXAMPLE
    assert body["kind"] == "university"
    assert body["version"] == 1
    assert body["uscc_override"] is False
    assert body["override_reason"] is None
    assert body["created_by"] == body["updated_by"] == "officer-1"
    assert response.headers["location"] == f"/v1/operators/{body['id']}"
    assert response.headers["etag"] == '"1"'
    read = await registry.get(response.headers["location"], headers=auth("auditor"))
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == body


@pytest.mark.parametrize(
    ("uscc", "kind", "fragment"),
    [
        (EXAMPLE[:17], "uscc_length", "has 17 characters"),
        (EXAMPLE + "0", "uscc_length", "has 19 characters"),
        (EXAMPLE[:9] + "O" + EXAMPLE[10:], "uscc_character_set", "'O' at position 10"),
        ("B" + EXAMPLE[1:], "uscc_registering_authority", "1-9, A, N, Y"),
        (EXAMPLE[:2] + "A" + EXAMPLE[3:], "uscc_region_code", "six digits"),
        (WRONG_CHECK, "uscc_check_character", "it must be 'L'"),
    ],
)
async def test_invalid_code_is_a_422_naming_the_rule(registry, auth, uscc, kind, fragment) -> None:
    response = await registry.post(
        "/v1/operators", json=operator_body(uscc=uscc), headers=auth("district_officer", OWN)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:lzms:problem:operator-invalid"
    (error,) = problem["errors"]
    assert error["field"] == "body.uscc"
    assert error["type"] == kind
    assert fragment in error["message"]
    assert fragment in problem["detail"]
    assert await _all(registry, auth) == []


async def test_district_is_told_to_ask_the_bureau_about_a_pilot_code(registry, auth) -> None:
    response = await registry.post(
        "/v1/operators", json=operator_body(uscc=WRONG_CHECK), headers=auth("district_officer", OWN)
    )
    assert response.status_code == 422
    assert "ask the bureau" in response.json()["errors"][0]["message"]


async def test_founded_on_in_the_future_is_refused_today_is_not(registry, auth) -> None:
    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    refused = await registry.post(
        "/v1/operators", json=operator_body(founded_on=tomorrow), headers=auth("city_admin")
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.founded_on"]
    today = await registry.post(
        "/v1/operators",
        json=operator_body(founded_on=today_in_china().isoformat()),
        headers=auth("city_admin"),
    )
    assert today.status_code == 201


async def test_every_field_error_is_reported_at_once(registry, auth) -> None:
    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    response = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=EXAMPLE[:17], founded_on=tomorrow),
        headers=auth("city_admin"),
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.uscc", "body.founded_on"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "partnership"), ("jurisdiction_code", "620100"), ("name", "  "), ("founded_on", "x")],
)
async def test_schema_refusals_name_the_field(registry, auth, field, value) -> None:
    response = await registry.post(
        "/v1/operators", json=operator_body(**{field: value}), headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"body.{field}"]


# --- the bureau's override --------------------------------------------------------------------


async def test_bureau_accepts_a_pilot_code_and_the_audit_log_records_it(registry, auth) -> None:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(
            uscc=WRONG_CHECK,
            accept_invalid_check_character=True,
            override_reason="试点期赋码，见工商登记档案 2015-118",
        ),
        headers=auth("city_admin", sub="bureau-zhang"),
    )
    assert response.status_code == 201, response.text
    operator = response.json()
    assert operator["uscc"] == WRONG_CHECK
    assert operator["uscc_override"] is True
    assert operator["override_reason"] == "试点期赋码，见工商登记档案 2015-118"
    assert operator["override_by"] == "bureau-zhang"

    (record,) = await _audit_records(registry, auth)
    assert record["action"] == "create_operator"
    assert record["object_type"] == "operator"
    assert record["object_id"] == operator["id"]
    assert record["actor_subject"] == "bureau-zhang"
    details = json.loads(record["details"])
    assert details["uscc_override"] is True
    assert details["reason"] == "试点期赋码，见工商登记档案 2015-118"

    versions = await registry.get(
        f"/v1/operators/{operator['id']}/versions", headers=auth("auditor")
    )
    (first,) = versions.json()["items"]
    assert first["uscc_override"] is True
    assert first["override_by"] == "bureau-zhang"


async def test_an_ordinary_registration_is_audited_without_override(registry, auth) -> None:
    operator = await _create(registry, auth)
    (record,) = await _audit_records(registry, auth)
    assert record["object_id"] == operator["id"]
    details = json.loads(record["details"])
    assert details["uscc_override"] is False
    assert "reason" not in details


@pytest.mark.parametrize("role", ["district_officer", "auditor", "finance_officer", "expert"])
async def test_only_the_bureau_may_override(registry, auth, role) -> None:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(
            uscc=WRONG_CHECK, accept_invalid_check_character=True, override_reason="试点期赋码"
        ),
        headers=auth(role, OWN if role == "district_officer" else None),
    )
    assert response.status_code == 403
    assert await _all(registry, auth) == []


@pytest.mark.parametrize(
    "uscc",
    [
        EXAMPLE[:17],
        EXAMPLE[:9] + "I" + EXAMPLE[10:],
        "0" + EXAMPLE[1:],
        EXAMPLE[:2] + "A" + EXAMPLE[3:],
    ],
)
async def test_a_malformed_code_can_never_be_overridden(registry, auth, uscc) -> None:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=uscc, accept_invalid_check_character=True, override_reason="试点"),
        headers=auth("city_admin"),
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.uscc"
    assert "can never be accepted" in error["message"]
    assert await _all(registry, auth) == []


async def test_override_needs_a_reason(registry, auth) -> None:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=WRONG_CHECK, accept_invalid_check_character=True),
        headers=auth("city_admin"),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.override_reason"]
    blank = await registry.post(
        "/v1/operators",
        json=operator_body(
            uscc=WRONG_CHECK, accept_invalid_check_character=True, override_reason="   "
        ),
        headers=auth("city_admin"),
    )
    assert blank.status_code == 422
    assert [e["field"] for e in blank.json()["errors"]] == ["body.override_reason"]


async def test_override_of_a_valid_code_or_reason_alone_is_refused(registry, auth) -> None:
    needless = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=EXAMPLE, accept_invalid_check_character=True, override_reason="x"),
        headers=auth("city_admin"),
    )
    assert needless.status_code == 422
    assert [e["field"] for e in needless.json()["errors"]] == [
        "body.accept_invalid_check_character"
    ]
    reason_alone = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=EXAMPLE, override_reason="x"),
        headers=auth("city_admin"),
    )
    assert reason_alone.status_code == 422
    assert [e["field"] for e in reason_alone.json()["errors"]] == ["body.override_reason"]
    assert await _all(registry, auth) == []


# --- one operator per code --------------------------------------------------------------------


async def test_duplicate_in_view_names_the_existing_operator(registry, auth) -> None:
    first = await _create(registry, auth, uscc=EXAMPLE, name="兰州大学")
    again = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=EXAMPLE.lower(), name="兰大"),
        headers=auth("district_officer", OWN),
    )
    assert again.status_code == 409
    problem = again.json()
    assert problem["type"] == "urn:lzms:problem:operator-duplicate"
    assert problem["existing_id"] == first["id"]
    assert "兰州大学" in problem["detail"]
    assert first["id"] in problem["detail"]
    assert len(await _all(registry, auth)) == 1


async def test_duplicate_elsewhere_is_refused_without_naming_it(registry, auth) -> None:
    first = await _create(registry, auth, OTHER, uscc=EXAMPLE, name="七里河某某科技有限公司")
    again = await registry.post(
        "/v1/operators",
        json=operator_body(uscc=EXAMPLE, jurisdiction_code=OWN),
        headers=auth("district_officer", OWN),
    )
    assert again.status_code == 409
    problem = again.json()
    assert problem["type"] == "urn:lzms:problem:operator-duplicate"
    assert "another jurisdiction" in problem["detail"]
    assert "bureau" in problem["detail"]
    assert "existing_id" not in problem
    for secret in (first["id"], first["name"], "七里河", OTHER):
        assert secret not in again.text
    # The bureau, which sees everything, is told which operator it is.
    bureau = await registry.post(
        "/v1/operators", json=operator_body(uscc=EXAMPLE), headers=auth("city_admin")
    )
    assert bureau.json()["existing_id"] == first["id"]


# --- scope ------------------------------------------------------------------------------------


async def test_district_cannot_register_in_another_jurisdiction(registry, auth) -> None:
    response = await registry.post(
        "/v1/operators",
        json=operator_body(jurisdiction_code=OTHER),
        headers=auth("district_officer", OWN),
    )
    assert response.status_code == 403
    assert await _all(registry, auth) == []


async def test_another_district_sees_nothing_of_an_operator(registry, auth) -> None:
    operator = await _create(registry, auth, OWN, name="城关区某运营主体")
    other = auth("district_officer", OTHER)
    missing_id = uuid.uuid4()

    read = await registry.get(f"/v1/operators/{operator['id']}", headers=other)
    missing = await registry.get(f"/v1/operators/{missing_id}", headers=other)
    assert read.status_code == missing.status_code == 404
    assert read.json()["type"] == missing.json()["type"] == "urn:lzms:problem:operator-not-found"
    assert read.json()["detail"].replace(operator["id"], "") == missing.json()["detail"].replace(
        str(missing_id), ""
    )

    history = await registry.get(f"/v1/operators/{operator['id']}/versions", headers=other)
    assert history.status_code == 404

    patched = await registry.patch(
        f"/v1/operators/{operator['id']}",
        json={"name": "改名"},
        headers={**other, "If-Match": '"1"'},
    )
    assert patched.status_code == 404

    listed = await registry.get("/v1/operators", headers=other)
    assert listed.json()["items"] == []
    filtered = await registry.get(f"/v1/operators?jurisdiction_code={OWN}", headers=other)
    assert filtered.status_code == 200
    assert filtered.json()["items"] == []

    for response in (read, history, patched, listed, filtered):
        assert operator["name"] not in response.text
        assert operator["uscc"] not in response.text
    unchanged = await registry.get(f"/v1/operators/{operator['id']}", headers=auth("auditor"))
    assert unchanged.json()["name"] == "城关区某运营主体"
    assert unchanged.json()["version"] == 1


async def test_lists_show_only_own_jurisdiction_and_everything_to_readers(registry, auth) -> None:
    mine = {(await _create(registry, auth, OWN))["id"] for _ in range(3)}
    theirs = {(await _create(registry, auth, OTHER))["id"] for _ in range(2)}
    listed = await registry.get("/v1/operators", headers=auth("district_officer", OWN))
    assert {item["id"] for item in listed.json()["items"]} == mine
    for role in ("city_admin", "auditor", "finance_officer", "service"):
        response = await registry.get("/v1/operators", headers=auth(role))
        assert {item["id"] for item in response.json()["items"]} == mine | theirs, role


@pytest.mark.parametrize("role", ["auditor", "finance_officer", "service", "expert"])
async def test_read_only_roles_cannot_write(registry, auth, role) -> None:
    operator = await _create(registry, auth)
    created = await registry.post("/v1/operators", json=operator_body(), headers=auth(role))
    patched = await registry.patch(
        f"/v1/operators/{operator['id']}",
        json={"name": "改名"},
        headers={**auth(role), "If-Match": '"1"'},
    )
    assert created.status_code == patched.status_code == 403


async def test_experts_do_not_read_operators(registry, auth) -> None:
    operator = await _create(registry, auth)
    assert (await registry.get("/v1/operators", headers=auth("expert"))).status_code == 403
    read = await registry.get(f"/v1/operators/{operator['id']}", headers=auth("expert"))
    assert read.status_code == 403


# --- filters and paging -----------------------------------------------------------------------


async def test_filters_by_kind_jurisdiction_and_name(registry, auth) -> None:
    uni = await _create(registry, auth, OWN, kind="university", name="兰州理工大学")
    institute = await _create(registry, auth, OTHER, kind="research_institute", name="某研究所")
    percent = await _create(registry, auth, OWN, name="100% Maker Co")
    admin = auth("city_admin")

    async def ids(query: str) -> set[str]:
        response = await registry.get(f"/v1/operators?{query}", headers=admin)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert await ids("kind=university") == {uni["id"]}
    assert await ids(f"jurisdiction_code={OTHER}") == {institute["id"]}
    assert await ids("q=理工") == {uni["id"]}
    assert await ids("q=maker") == {percent["id"]}  # case does not matter
    assert await ids("q=%25") == {percent["id"]}  # a % is a character, not a wildcard
    assert await ids("q=_") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=partnership", "query.kind"),
        ("q=%20%20", "query.q"),
        ("jurisdiction_code=1", "query.jurisdiction_code"),
    ],
)
async def test_bad_filters_are_named(registry, auth, query, field) -> None:
    response = await registry.get(f"/v1/operators?{query}", headers=auth("city_admin"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_pages_through_every_operator_once(registry, auth) -> None:
    created = {(await _create(registry, auth))["id"] for _ in range(5)}
    seen: list[str] = []
    url = "/v1/operators?limit=2"
    while url:
        page = (await registry.get(url, headers=auth("city_admin"))).json()
        seen.extend(item["id"] for item in page["items"])
        url = f"/v1/operators?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert len(seen) == 5
    assert set(seen) == created


# --- corrections: ETag / If-Match, history -------------------------------------------------------


async def _patch(registry, headers, operator_id: str, body: dict, if_match: str | None = '"1"'):
    extra = {} if if_match is None else {"If-Match": if_match}
    return await registry.patch(
        f"/v1/operators/{operator_id}", json=body, headers={**headers, **extra}
    )


async def test_update_without_if_match_is_428_and_changes_nothing(registry, auth) -> None:
    operator = await _create(registry, auth)
    officer = auth("district_officer", OWN)
    for if_match in (None, "*"):
        response = await _patch(registry, officer, operator["id"], {"name": "新名"}, if_match)
        assert response.status_code == 428
        assert response.json()["type"] == "urn:lzms:problem:precondition-required"
        assert "If-Match" in response.json()["detail"]
    current = await registry.get(f"/v1/operators/{operator['id']}", headers=officer)
    assert current.json()["name"] == operator["name"]
    assert current.json()["version"] == 1


async def test_fresh_update_makes_a_new_version_with_a_new_etag(registry, auth) -> None:
    operator = await _create(registry, auth)
    officer = auth("district_officer", OWN, sub="officer-2")
    response = await _patch(
        registry,
        officer,
        operator["id"],
        {"name": "兰州新名称科技有限公司", "registered_in_lanzhou": False},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body["version"] == 2
    assert body["name"] == "兰州新名称科技有限公司"
    assert body["registered_in_lanzhou"] is False
    assert body["updated_by"] == "officer-2"
    assert body["created_at"] == operator["created_at"]
    read = await registry.get(f"/v1/operators/{operator['id']}", headers=officer)
    assert read.headers["etag"] == '"2"'
    # A weakened ETag (as a compressing proxy returns it) names the same version.
    weak = await _patch(registry, officer, operator["id"], {"kind": "other"}, 'W/"2"')
    assert weak.status_code == 200
    assert weak.headers["etag"] == '"3"'
    records = await _audit_records(registry, auth)
    assert json.loads(records[-1]["details"])["changed"] == ["kind"]
    assert json.loads(records[-2]["details"])["changed"] == ["name", "registered_in_lanzhou"]


async def test_stale_if_match_is_412_with_the_current_version(registry, auth) -> None:
    operator = await _create(registry, auth)
    officer = auth("district_officer", OWN)
    first = await _patch(registry, officer, operator["id"], {"name": "甲的改名"})
    assert first.status_code == 200
    # The second officer read version 1 too and edits on top of it.
    second = await _patch(registry, officer, operator["id"], {"name": "乙的改名"})
    assert second.status_code == 412
    problem = second.json()
    assert problem["type"] == "urn:lzms:problem:operator-version-stale"
    assert problem["current_version"] == 2
    assert second.headers["etag"] == '"2"'
    for bad in ('"7"', "1", "garbage"):
        assert (
            await _patch(registry, officer, operator["id"], {"name": "x"}, bad)
        ).status_code == 412
    current = (await registry.get(f"/v1/operators/{operator['id']}", headers=officer)).json()
    assert current["name"] == "甲的改名"
    assert current["version"] == 2


async def test_concurrent_edits_with_the_same_if_match_one_wins(registry, auth) -> None:
    operator = await _create(registry, auth)
    officer = auth("district_officer", OWN)
    responses = await asyncio.gather(
        *(_patch(registry, officer, operator["id"], {"name": f"并发改名-{i}"}) for i in range(2))
    )
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    history = await registry.get(f"/v1/operators/{operator['id']}/versions", headers=officer)
    assert [v["version"] for v in history.json()["items"]] == [1, 2]
    assert history.json()["items"][1]["name"] == winner["name"]


async def test_history_keeps_every_version_oldest_first(registry, auth) -> None:
    operator = await _create(registry, auth, name="第一版名称", founded_on="2018-01-01")
    officer = auth("district_officer", OWN, sub="officer-3")
    assert (
        await _patch(registry, officer, operator["id"], {"name": "第二版名称"})
    ).status_code == 200
    third = await _patch(registry, officer, operator["id"], {"founded_on": "2017-12-31"}, '"2"')
    assert third.status_code == 200
    response = await registry.get(
        f"/v1/operators/{operator['id']}/versions", headers=auth("auditor")
    )
    assert response.status_code == 200
    versions = response.json()["items"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["name"] for v in versions] == ["第一版名称", "第二版名称", "第二版名称"]
    assert [v["founded_on"] for v in versions] == ["2018-01-01", "2018-01-01", "2017-12-31"]
    assert versions[0]["recorded_by"] == "test-district_officer-620102"
    assert versions[2]["recorded_by"] == "officer-3"
    assert versions[0]["valid_from"] == operator["created_at"]
    assert versions[0]["valid_from"] < versions[1]["valid_from"] <= versions[2]["valid_from"]
    assert {v["operator_id"] for v in versions} == {operator["id"]}
    paged = await registry.get(
        f"/v1/operators/{operator['id']}/versions?limit=2", headers=auth("auditor")
    )
    assert [v["version"] for v in paged.json()["items"]] == [1, 2]
    assert paged.json()["next_cursor"]


async def test_an_update_that_changes_nothing_adds_no_version(registry, auth) -> None:
    operator = await _create(registry, auth)
    officer = auth("district_officer", OWN)
    same = await _patch(
        registry,
        officer,
        operator["id"],
        {
            "name": operator["name"],
            "uscc": operator["uscc"].lower(),
            "jurisdiction_code": OWN,
            "accept_invalid_check_character": False,
        },
    )
    assert same.status_code == 200
    assert same.json()["version"] == 1
    assert same.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    "statement",
    ["UPDATE operator_versions SET name = 'rewritten'", "DELETE FROM operator_versions"],
)
async def test_database_refuses_to_rewrite_history(registry_app, registry, auth, statement) -> None:
    operator = await _create(registry, auth)
    with pytest.raises(DBAPIError, match="append-only"):
        async with registry_app.state.database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    history = await registry.get(
        f"/v1/operators/{operator['id']}/versions", headers=auth("auditor")
    )
    assert [v["name"] for v in history.json()["items"]] == [operator["name"]]


async def test_null_is_refused_with_the_field_named(registry, auth) -> None:
    operator = await _create(registry, auth)
    response = await _patch(
        registry, auth("district_officer", OWN), operator["id"], {"name": None, "kind": "other"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.name"]


async def test_future_founding_date_is_refused_on_update(registry, auth) -> None:
    operator = await _create(registry, auth)
    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    response = await _patch(registry, auth("city_admin"), operator["id"], {"founded_on": tomorrow})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.founded_on"]


async def test_moving_jurisdiction_is_the_bureaus_act(registry, auth) -> None:
    operator = await _create(registry, auth, OWN)
    officer = auth("district_officer", OWN)
    refused = await _patch(registry, officer, operator["id"], {"jurisdiction_code": OTHER})
    assert refused.status_code == 403
    moved = await _patch(registry, auth("city_admin"), operator["id"], {"jurisdiction_code": OTHER})
    assert moved.status_code == 200
    assert moved.json()["jurisdiction_code"] == OTHER
    assert (
        await registry.get(f"/v1/operators/{operator['id']}", headers=officer)
    ).status_code == 404
    theirs = await registry.get(
        f"/v1/operators/{operator['id']}", headers=auth("district_officer", OTHER)
    )
    assert theirs.status_code == 200


async def test_an_operator_running_spaces_cannot_move_away_from_them(registry, auth) -> None:
    operator = await _create(registry, auth, OWN)
    space = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=OWN, operator_id=operator["id"]),
        headers=auth("city_admin"),
    )
    assert space.status_code == 201
    moved = await _patch(registry, auth("city_admin"), operator["id"], {"jurisdiction_code": OTHER})
    assert moved.status_code == 409
    assert moved.json()["type"] == "urn:lzms:problem:operator-move-blocked"
    current = await registry.get(f"/v1/operators/{operator['id']}", headers=auth("city_admin"))
    assert current.json()["jurisdiction_code"] == OWN


async def test_correcting_the_code(registry, auth) -> None:
    operator = await _create(registry, auth)
    officer = auth("district_officer", OWN)
    corrected = await _patch(registry, officer, operator["id"], {"uscc": EXAMPLE})
    assert corrected.status_code == 200
    assert corrected.json()["uscc"] == EXAMPLE
    bad = await _patch(registry, officer, operator["id"], {"uscc": WRONG_CHECK}, '"2"')
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.uscc"
    override_by_district = await _patch(
        registry,
        officer,
        operator["id"],
        {"uscc": WRONG_CHECK, "accept_invalid_check_character": True, "override_reason": "试点"},
        '"2"',
    )
    assert override_by_district.status_code == 403
    stray = await _patch(registry, officer, operator["id"], {"override_reason": "试点"}, '"2"')
    assert stray.status_code == 422
    assert [e["field"] for e in stray.json()["errors"]] == ["body.override_reason"]

    by_bureau = await _patch(
        registry,
        auth("city_admin", sub="bureau-li"),
        operator["id"],
        {"uscc": WRONG_CHECK, "accept_invalid_check_character": True, "override_reason": "试点"},
        '"2"',
    )
    assert by_bureau.status_code == 200
    assert by_bureau.json()["uscc_override"] is True
    assert by_bureau.json()["override_by"] == "bureau-li"
    details = json.loads((await _audit_records(registry, auth))[-1]["details"])
    assert details["uscc_override"] is True
    assert details["reason"] == "试点"
    # A later correction to a valid code clears the override; the history keeps it.
    cleared = await _patch(registry, officer, operator["id"], {"uscc": make_uscc()}, '"3"')
    assert cleared.status_code == 200
    assert cleared.json()["uscc_override"] is False
    assert cleared.json()["override_reason"] is None
    history = await registry.get(f"/v1/operators/{operator['id']}/versions", headers=officer)
    assert [v["uscc_override"] for v in history.json()["items"]] == [False, False, True, False]


async def test_correcting_to_a_taken_code_is_refused_without_naming_elsewhere(
    registry, auth
) -> None:
    elsewhere = await _create(registry, auth, OTHER, name="别区的主体")
    operator = await _create(registry, auth, OWN)
    response = await _patch(
        registry, auth("district_officer", OWN), operator["id"], {"uscc": elsewhere["uscc"]}
    )
    assert response.status_code == 409
    assert "another jurisdiction" in response.json()["detail"]
    assert elsewhere["name"] not in response.text
    assert elsewhere["id"] not in response.text


# --- spaces and their operator ------------------------------------------------------------------


async def test_space_with_own_operator_is_registered_and_echoes_it(registry, auth) -> None:
    operator = await _create(registry, auth, OWN)
    officer = auth("district_officer", OWN)
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=OWN, operator_id=operator["id"]),
        headers=officer,
    )
    assert response.status_code == 201, response.text
    assert response.json()["operator_id"] == operator["id"]
    read = await registry.get(response.headers["location"], headers=officer)
    assert read.json()["operator_id"] == operator["id"]
    without = await registry.post("/v1/spaces", json=space_body(), headers=officer)
    assert without.status_code == 201
    assert without.json()["operator_id"] is None


async def test_space_with_another_districts_operator_is_refused_like_a_missing_one(
    registry, auth
) -> None:
    foreign = await _create(registry, auth, OTHER, name="别区运营主体")
    officer = auth("district_officer", OWN)
    answers = []
    for operator_id in (foreign["id"], str(uuid.uuid4())):
        response = await registry.post(
            "/v1/spaces",
            json=space_body(jurisdiction_code=OWN, operator_id=operator_id),
            headers=officer,
        )
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert error["field"] == "body.operator_id"
        answers.append(error["message"])
        assert foreign["name"] not in response.text
        assert OTHER not in response.text
    assert answers[0] == answers[1]
    assert (await registry.get("/v1/spaces", headers=auth("city_admin"))).json()["items"] == []


async def test_bureau_cannot_pair_a_space_with_another_jurisdictions_operator(
    registry, auth
) -> None:
    operator = await _create(registry, auth, OTHER)
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=OWN, operator_id=operator["id"]),
        headers=auth("city_admin"),
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.operator_id"
    assert "space's jurisdiction" in error["message"]
