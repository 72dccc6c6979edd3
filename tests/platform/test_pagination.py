"""Keyset pagination: complete, without repeats, bounded in size, and strict about cursors."""

from __future__ import annotations

import pytest

from tests.conftest import space_body


async def test_pages_cover_everything_once_in_order(registry, auth) -> None:
    admin = auth("city_admin")
    created = [
        (await registry.post("/v1/spaces", json=space_body(), headers=admin)).json()["id"]
        for _ in range(7)
    ]
    seen: list[str] = []
    sizes: list[int] = []
    cursor = None
    while True:
        url = "/v1/spaces?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = (await registry.get(url, headers=admin)).json()
        sizes.append(len(page["items"]))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sizes == [3, 3, 1]
    assert seen == created  # creation order, nothing twice, nothing lost


async def test_exactly_one_full_page_has_no_next_cursor(registry, auth) -> None:
    admin = auth("city_admin")
    for _ in range(3):
        await registry.post("/v1/spaces", json=space_body(), headers=admin)
    page = (await registry.get("/v1/spaces?limit=3", headers=admin)).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"] is None


async def test_filters_apply_across_pages(registry, auth) -> None:
    admin = auth("city_admin")
    for form in ["virtual", "comprehensive", "virtual", "virtual"]:
        await registry.post("/v1/spaces", json=space_body(form=form), headers=admin)
    first = (await registry.get("/v1/spaces?form=virtual&limit=2", headers=admin)).json()
    second = (
        await registry.get(
            f"/v1/spaces?form=virtual&limit=2&cursor={first['next_cursor']}", headers=admin
        )
    ).json()
    forms = [item["form"] for item in first["items"] + second["items"]]
    assert forms == ["virtual"] * 3


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "query.limit"),
        ("limit=0", "query.limit"),
        ("cursor=not-a-cursor", "query.cursor"),
        ("cursor=WzEsMiwzXQ", "query.cursor"),
        ("form=floating", "query.form"),
    ],
)
async def test_bad_paging_and_filters_are_422(registry, auth, query, field) -> None:
    response = await registry.get(f"/v1/spaces?{query}", headers=auth("city_admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.backends("sqlite")
async def test_maximum_page_size_is_accepted(registry, auth) -> None:
    response = await registry.get("/v1/spaces?limit=200", headers=auth("city_admin"))
    assert response.status_code == 200
