"""Statistics for a date: the article's figures, every date edge, and a district's own figures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from services.registry.assessments.models import SpaceAssessment
from services.registry.levels.models import SpaceLevelGrant
from services.registry.spaces.models import Space
from services.registry.status.models import SpaceStatusChange, StatusAct
from shared.contracts.assessment import AssessmentGrade
from shared.contracts.spaces import SpaceForm, SpaceLevel, SpaceProfile, SpaceStatus
from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.test_status import level, recognition, revocation

OWN, OTHER = "620102", "620103"
JURISDICTIONS = ["620102", "620103", "620104", "620105", "LZGXQ", "LZXQ"]


async def _seed_article(app: FastAPI) -> None:
    """106 recognised spaces, 66 of them provincial and 23 national filings; 20 rated 优秀 in
    2018 (made-up spaces with the article's counts)."""
    now = datetime.now(UTC)
    rows: list[Any] = []
    for i in range(106):
        space = Space(
            id=uuid.uuid4(),
            name=f"统计众创空间{i:03d}",
            jurisdiction_code=JURISDICTIONS[i % len(JURISDICTIONS)],
            form=SpaceForm.COMPREHENSIVE if i % 3 else SpaceForm.SPECIALISED,
            profile=list(SpaceProfile)[i % 6],
            opened_on=date(2016, 1, 1),
            created_at=now,
            created_by="seed",
        )
        recognised = SpaceStatusChange(
            id=uuid.uuid4(),
            space_id=space.id,
            seq=2,
            act=StatusAct.RECOGNITION,
            status=SpaceStatus.RECOGNISED,
            effective_on=date(2017, 6, 1),
            document_no="兰科发〔2017〕1号",
            recorded_at=now,
            recorded_by="seed",
        )
        rows += [
            space,
            SpaceStatusChange(
                id=uuid.uuid4(),
                space_id=space.id,
                seq=1,
                act=StatusAct.REGISTERED,
                status=SpaceStatus.APPLICANT,
                effective_on=space.opened_on,
                recorded_at=now,
                recorded_by="seed",
            ),
            recognised,
        ]
        grants = [(SpaceLevel.MUNICIPAL, recognised.id)]
        if i < 66:
            grants.append((SpaceLevel.PROVINCIAL, None))
        if i < 23:
            grants.append((SpaceLevel.NATIONAL_FILING, None))
        rows += [
            SpaceLevelGrant(
                id=uuid.uuid4(),
                space_id=space.id,
                level=grant_level,
                document_no="文号",
                effective_on=date(2017, 6, 1),
                status_change_id=change,
                recorded_at=now,
                recorded_by="seed",
            )
            for grant_level, change in grants
        ]
        if i < 35:
            rows.append(
                SpaceAssessment(
                    id=uuid.uuid4(),
                    space_id=space.id,
                    year=2018,
                    revision=1,
                    grade=AssessmentGrade.EXCELLENT if i < 20 else AssessmentGrade.GOOD,
                    document_no="甘科发〔2019〕5号",
                    assessed_on=date(2019, 3, 1),
                    recorded_at=now,
                    recorded_by="seed",
                )
            )
    async with app.state.database.session() as session:
        for row in rows:  # in dependency order: spaces, then what refers to them
            session.add(row)
            await session.flush()
        await session.commit()


async def test_the_articles_figures_and_shares(registry_app, registry, auth) -> None:
    await _seed_article(registry_app)
    response = await registry.get(
        "/v1/statistics",
        params={
            "as_of": "2019-06-30",
            "year": 2018,
            "province_national_filing": 30,
            "province_provincial": 126,
            "province_excellent": 35,
        },
        headers=auth("city_admin"),
    )
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["levels"]["municipal_or_above"] == 106
    assert (stats["levels"]["provincial"], stats["levels"]["national_filing"]) == (66, 23)
    assert stats["assessments"]["by_grade"] == {"优秀": 20, "良好": 15, "合格": 0, "不合格": 0}
    shares = {share["measure"]: share for share in stats["shares"]}
    assert shares["national_filing"]["share_percent"] == "76.7"
    assert shares["national_filing"]["text_zh"] == "国家备案23家，占全省的76.7%"
    assert shares["national_filing"]["text_en"] == "23 national filings, 76.7 % of the province's"
    assert shares["provincial"]["share_percent"] == "52.4"
    assert shares["excellent"]["share_percent"] == "57.1"
    assert stats["spaces"]["total"] == 106
    assert stats["spaces"]["by_status"] == {
        "applicant": 0,
        "recognised": 106,
        "under_rectification": 0,
        "revoked": 0,
    }
    assert sum(stats["spaces"]["by_jurisdiction"].values()) == 106
    assert stats["spaces"]["by_jurisdiction"]["620121"] == 0
    assert sum(stats["spaces"]["by_profile"].values()) == 106
    assert stats["spaces"]["by_form"]["specialised"] == 36
    # The day before the levels took effect, nobody held one.
    before = await registry.get(
        "/v1/statistics", params={"as_of": "2017-05-31"}, headers=auth("auditor")
    )
    assert before.json()["levels"]["municipal_or_above"] == 0
    assert before.json()["spaces"]["by_status"]["applicant"] == 106
    # A province total below the count here is a mistake in the parameters.
    wrong = await registry.get(
        "/v1/statistics",
        params={"as_of": "2019-06-30", "province_national_filing": 22},
        headers=auth("city_admin"),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "query.province_national_filing"


async def _space(registry, auth, jurisdiction: str = OWN, **overrides: Any) -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(
            **{"jurisdiction_code": jurisdiction, "opened_on": "2024-03-01", **overrides}
        ),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _ok(registry, auth, path: str, body: dict, jurisdiction: str | None = None) -> dict:
    headers = auth("district_officer", jurisdiction) if jurisdiction else auth("city_admin")
    response = await registry.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def _stats(registry, headers: dict, **params: Any) -> dict:
    response = await registry.get("/v1/statistics", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_statuses_and_levels_at_their_date_edges(registry, auth) -> None:
    space = await _space(registry, auth)
    await _ok(registry, auth, f"/v1/spaces/{space}/recognition", recognition())
    await _ok(registry, auth, f"/v1/spaces/{space}/levels", level())
    await _ok(registry, auth, f"/v1/spaces/{space}/revocation", revocation())
    admin = auth("city_admin")
    expected = {
        "2024-02-29": (0, None, 0, 0),
        "2024-03-01": (1, "applicant", 0, 0),
        "2024-05-31": (1, "applicant", 0, 0),
        "2024-06-01": (1, "recognised", 1, 0),
        "2024-08-31": (1, "recognised", 1, 0),
        "2024-09-01": (1, "recognised", 1, 1),
        "2025-04-30": (1, "recognised", 1, 1),
        "2025-05-01": (1, "revoked", 0, 1),
    }
    for as_of, (total, status, municipal, provincial) in expected.items():
        stats = await _stats(registry, admin, as_of=as_of)
        assert stats["spaces"]["total"] == total, as_of
        if status is not None:
            assert stats["spaces"]["by_status"][status] == 1, as_of
        assert stats["levels"]["municipal"] == municipal, as_of
        assert stats["levels"]["provincial"] == provincial, as_of
        assert stats["levels"]["municipal_or_above"] == max(municipal, provincial), as_of


async def test_teams_and_activities_by_year(registry, auth) -> None:
    space = await _space(registry, auth, opened_on="2023-12-01")
    base = f"/v1/spaces/{space}"
    team = {"field": "high_tech"}
    a = await _ok(
        registry, auth, f"{base}/teams", {**team, "name": "甲", "joined_on": "2024-05-01"}, OWN
    )
    await _ok(
        registry, auth, f"{base}/teams", {**team, "name": "乙", "joined_on": "2024-05-01"}, OWN
    )
    await _ok(
        registry, auth, f"{base}/teams", {**team, "name": "丙", "joined_on": "2025-01-01"}, OWN
    )
    await _ok(
        registry,
        auth,
        f"{base}/teams/{a['id']}/graduation",
        {"graduated_on": "2024-12-31", "registered_enterprise_name": "甲有限公司"},
        OWN,
    )
    for kind, held_on, attendance in (
        ("lecture", "2023-12-31", 5),
        ("salon", "2024-01-01", 10),
        ("training", "2024-12-31", 25),
        ("roadshow", "2025-01-01", 40),
    ):
        body = {"kind": kind, "title": kind, "held_on": held_on, "attendance": attendance}
        await _ok(registry, auth, f"{base}/activities", body, OWN)
    admin = auth("city_admin")

    y2024 = await _stats(registry, admin, as_of="2025-06-30", year=2024)
    assert y2024["activities"]["count"] == 2
    assert y2024["activities"]["attendance"] == 35
    assert y2024["activities"]["by_kind"]["salon"] == 1
    assert y2024["teams"] == {"in_incubation": 2, "graduated": 1, "graduated_in_year": 1}
    y2025 = await _stats(registry, admin, as_of="2025-06-30")
    assert (y2025["year"], y2025["activities"]["count"], y2025["activities"]["attendance"]) == (
        2025,
        1,
        40,
    )
    assert y2025["teams"]["graduated_in_year"] == 0
    # On the graduation day the team has left; the day before it is still in incubation.
    assert (await _stats(registry, admin, as_of="2024-12-30"))["teams"]["in_incubation"] == 2
    on_day = await _stats(registry, admin, as_of="2024-12-31")
    assert (on_day["teams"]["in_incubation"], on_day["teams"]["graduated"]) == (1, 1)
    # Activities are counted up to as_of only.
    assert (await _stats(registry, admin, as_of="2024-12-30"))["activities"]["count"] == 1


async def test_a_district_sees_only_its_own_figures(registry, auth) -> None:
    for _ in range(2):
        await _space(registry, auth, OWN)
    theirs = await _space(registry, auth, OTHER, form="virtual")
    await _ok(registry, auth, f"/v1/spaces/{theirs}/recognition", recognition())
    own = await _stats(registry, auth("district_officer", OWN), as_of=today_in_china().isoformat())
    assert own["jurisdiction_code"] == OWN
    assert own["spaces"]["total"] == 2
    assert own["spaces"]["by_jurisdiction"] == {OWN: 2}
    assert own["spaces"]["by_form"]["virtual"] == 0
    assert own["levels"]["municipal_or_above"] == 0
    assert own["levels"]["municipal_or_above_by_jurisdiction"] == {OWN: 0}
    assert OTHER not in str(own)
    city = await _stats(registry, auth("city_admin"))
    assert city["jurisdiction_code"] is None
    assert city["spaces"]["total"] == 3
    assert city["spaces"]["by_jurisdiction"][OTHER] == 1
    assert city["levels"]["municipal_or_above_by_jurisdiction"][OTHER] == 1
    assert len(city["spaces"]["by_jurisdiction"]) == 11
    expert = await registry.get("/v1/statistics", headers=auth("expert"))
    assert expert.status_code == 403


async def test_bad_dates_are_refused(registry, auth) -> None:
    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    for params, field in (
        ({"as_of": tomorrow}, "query.as_of"),
        ({"as_of": "2024-06-30", "year": 2025}, "query.year"),
        ({"year": 2014}, "query.year"),
        ({"province_provincial": 0}, "query.province_provincial"),
    ):
        response = await registry.get("/v1/statistics", params=params, headers=auth("auditor"))
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] == field
    today = await registry.get(
        "/v1/statistics", params={"as_of": today_in_china().isoformat()}, headers=auth("auditor")
    )
    assert today.status_code == 200
