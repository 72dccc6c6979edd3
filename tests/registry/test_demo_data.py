"""``make demo``: the article's spaces load through the API on SQLite, marked as demo data, and
loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy import demo_data
from deploy.demo_data import (
    APPLICANT_STEPS,
    APPLICANTS,
    DEMO_REMARKS,
    DEMO_SUFFIX,
    SPACES,
    bureau_client,
    demo_uscc,
    load_demo,
    wire_eligibility,
)
from services.registry.operators.uscc import check_uscc
from tests.conftest import AppFactory

ARTICLE_NAMES = (
    "西部创客众创空间",
    "创意产业众创空间",
    "西软众创空间",
    "丝路品味·众创空间",
    "海逸众创空间",
    "图博未来众创空间",
    "兰州鑫源众创空间",
    "榆兴众创空间",
    "兰州科技大市场众创空间",
)


def test_demo_codes_are_valid() -> None:
    for index, space in enumerate(SPACES):
        assert check_uscc(demo_uscc(index, space.jurisdiction)).valid


@pytest.mark.backends("sqlite")
async def test_demo_loads_once_and_is_marked(backend: str, make_app: AppFactory) -> None:
    app = await make_app("registry")
    await app.state.eligibility_client.aclose()
    wired = wire_eligibility(app, await make_app("eligibility"))
    async with bureau_client(app) as client:
        first = await load_demo(client, app)
        assert len(first.created) == len(SPACES) + len(APPLICANTS)
        assert not first.existing
        again = await load_demo(client, app)
        assert not again.created
        assert len(again.existing) == len(SPACES) + len(APPLICANTS)

        listed = (await client.get("/v1/spaces", params={"limit": "200"})).json()["items"]
        names = [item["name"] for item in listed]
        assert len(names) == len(SPACES) + len(APPLICANTS)  # nothing twice
        assert all(name.endswith(DEMO_SUFFIX) for name in names)
        for article_name in ARTICLE_NAMES:
            assert article_name + DEMO_SUFFIX in names
        assert {item["status"] for item in listed} == {"recognised", "applicant"}
        # The applications stand at different steps; the last is recognised with its plaque.
        applications = (await client.get("/v1/applications")).json()["items"]
        assert [a["state"] for a in applications] == list(APPLICANT_STEPS)
        assert applications[-1]["recognition"]["plaque_no"].startswith("兰科众创〔")

        space = listed[0]["id"]
        premises = (await client.get(f"/v1/spaces/{space}/premises")).json()
        assert premises["remarks"] == DEMO_REMARKS
        facts = await client.get(f"/v1/spaces/{space}/facts", params={"as_of": "2026-06-30"})
        assert facts.status_code == 200, facts.text
        assert facts.json()["incubation"]["teams_in_incubation"] >= 1

        statistics = (
            await client.get("/v1/statistics", params={"as_of": "2026-06-30", "year": "2018"})
        ).json()
        assert statistics["levels"]["municipal_or_above"] == len(SPACES)  # as of 2026-06-30
        assert statistics["assessments"]["by_grade"]["优秀"] == 5
    await wired.aclose()


@pytest.mark.backends("sqlite")
def test_make_demo_prints_its_summary_only(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """``make demo`` says what it loaded and nothing else; ``VERBOSE=1`` shows the logs."""
    monkeypatch.setenv("REGISTRY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv(
        "ELIGIBILITY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'eligibility.db'}"
    )
    monkeypatch.setattr(demo_data, "SPACES", SPACES[:1])
    name = SPACES[0].name + DEMO_SUFFIX

    assert demo_data.main([]) == 0
    out, err = capfd.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 3, out
    assert lines[0].startswith("demo data")
    assert name in lines[1]

    assert demo_data.main(["--verbose"]) == 0
    out, err = capfd.readouterr()
    assert name in out.splitlines()[2]  # already there
    assert '"event": "request"' in err  # the access log of each request
