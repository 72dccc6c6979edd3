"""Legal clocks of the procedure: their time limits, suspensions, and recomputation when the
bureau corrects a year of the calendar."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.calendar.service import CalendarYearNotLoaded, working_period
from services.registry.clocks import service
from services.registry.clocks.models import ClockState, LimitKind, ProcedureClock, ProcedureStep
from services.registry.clocks.service import ClockConflict, ClockInvalid, ClockNotFound

D = date.fromisoformat


@pytest.fixture
async def session(registry_app) -> AsyncIterator[AsyncSession]:
    """A session on the app's database; each test commits what HTTP requests must see."""
    async with registry_app.state.database.session() as session:
        yield session


def subject() -> uuid.UUID:
    return uuid.uuid4()


# --- time limits ------------------------------------------------------------------------------


async def test_the_default_time_limits_and_their_basis(registry, auth) -> None:
    response = await registry.get("/v1/procedure/time-limits", headers=auth("auditor"))
    assert response.status_code == 200, response.text
    limits = {item["step"]: item["current"] for item in response.json()}
    assert set(limits) == {s.value for s in ProcedureStep}
    assert (limits["preliminary_review"]["length_wd"], limits["decision"]["length_wd"]) == (20, 20)
    assert limits["preliminary_review"]["kind"] == "statutory"
    assert "第四十三条" in limits["preliminary_review"]["basis"]
    assert "第四十二条" in limits["decision"]["basis"]
    assert (limits["publicity"]["length_wd"], limits["publicity"]["kind"]) == (5, "statutory")
    assert "第四十五条" in limits["joint_review"]["basis"]
    assert limits["joint_review"]["kind"] == "internal"


def limit(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "internal",
        "basis": "局务会纪要〔2026〕12号",
        "length_wd": 15,
        "reason": "缩短初审时限",
    }
    body.update(overrides)
    return body


async def test_a_changed_limit_is_a_new_version_and_running_clocks_keep_theirs(
    registry, auth, session
) -> None:
    before = await service.start_clock(session, subject(), "preliminary_review", D("2026-09-30"))
    await session.commit()
    response = await registry.put(
        "/v1/procedure/time-limits/preliminary_review", json=limit(), headers=auth("city_admin")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["changed"], body["current"]["version"], body["current"]["length_wd"]) == (
        True,
        2,
        15,
    )
    assert [v["version"] for v in body["versions"]] == [2, 1]
    again = await registry.put(
        "/v1/procedure/time-limits/preliminary_review", json=limit(), headers=auth("city_admin")
    )
    assert again.json()["changed"] is False
    assert [v["version"] for v in again.json()["versions"]] == [2, 1]

    [kept] = await service.clocks_for(session, before.subject_id)
    assert (kept.length_wd, kept.time_limit_version, kept.due_on) == (20, 1, D("2026-11-02"))
    after = await service.start_clock(session, subject(), "preliminary_review", D("2026-09-30"))
    assert (after.length_wd, after.time_limit_version, after.kind) == (15, 2, LimitKind.INTERNAL)
    assert after.due_on == D("2026-10-26")


@pytest.mark.parametrize(
    ("step", "body", "status", "field"),
    [
        ("preliminary_review", limit(length_wd=0), 422, "body.length_wd"),
        ("preliminary_review", limit(length_wd=251), 422, "body.length_wd"),
        ("preliminary_review", limit(length_wd="20"), 422, "body.length_wd"),
        ("preliminary_review", limit(kind="advisory"), 422, "body.kind"),
        ("preliminary_review", limit(basis=" "), 422, "body.basis"),
        ("coffee_break", limit(), 422, "path.step"),
    ],
)
async def test_a_bad_limit_is_refused(registry, auth, step, body, status, field) -> None:
    response = await registry.put(
        f"/v1/procedure/time-limits/{step}", json=body, headers=auth("city_admin")
    )
    assert response.status_code == status, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_only_the_bureau_sets_a_limit(registry, auth) -> None:
    for role, jurisdiction in (("district_officer", "620102"), ("auditor", None)):
        response = await registry.put(
            "/v1/procedure/time-limits/decision", json=limit(), headers=auth(role, jurisdiction)
        )
        assert response.status_code == 403
    response = await registry.get("/v1/procedure/time-limits", headers=auth("city_admin"))
    assert {i["step"]: i["current"]["version"] for i in response.json()}["decision"] == 1


# --- clocks -----------------------------------------------------------------------------------


async def test_a_clock_is_due_on_the_last_of_its_working_days(session) -> None:
    clock = await service.start_clock(
        session, subject(), ProcedureStep.PRELIMINARY_REVIEW, D("2026-09-30")
    )
    # 9-30, then National Day; 10-10 is a working Saturday: the 20th working day is 11-02.
    assert clock.due_on == D("2026-11-02")
    assert clock.due_on == (await working_period(session, D("2026-09-30"), 20)).end
    assert (clock.state, clock.kind, clock.length_wd) == (
        ClockState.RUNNING,
        LimitKind.STATUTORY,
        20,
    )
    assert clock.calendar_versions == {2026: 1}
    assert "第四十三条" in clock.basis
    assert not clock.is_overdue(D("2026-11-02"))
    assert clock.is_overdue(D("2026-11-03"))


async def test_suspended_days_do_not_count(session) -> None:
    who = subject()
    await service.start_clock(session, who, "joint_review", D("2026-09-30"))
    suspended = await service.suspend_clock(
        session, (who, "joint_review"), D("2026-10-12"), "专家评审及现场考察"
    )
    assert (suspended.state, suspended.due_on) == (ClockState.SUSPENDED, None)
    assert not suspended.is_overdue(D("2027-06-01"))
    resumed = await service.resume_clock(session, suspended.id, D("2026-10-19"))
    # 10-12..10-16, five working days, do not count: 11-02 becomes 11-09.
    assert (resumed.state, resumed.due_on) == (ClockState.RUNNING, D("2026-11-09"))
    assert [(s.suspended_on, s.resumed_on, s.reason) for s in resumed.suspensions] == [
        (D("2026-10-12"), D("2026-10-19"), "专家评审及现场考察")
    ]
    # Suspended and resumed the same day: nothing is left out.
    again = await service.suspend_clock(session, resumed.id, D("2026-10-20"), "现场考察")
    again = await service.resume_clock(session, again.id, D("2026-10-20"))
    assert again.due_on == D("2026-11-09")
    # Stopped while suspended: the suspension ends that day.
    await service.suspend_clock(session, again.id, D("2026-10-21"), "专家评审")
    stopped = await service.stop_clock(session, again.id, D("2026-10-23"))
    assert (stopped.state, stopped.stopped_on) == (ClockState.STOPPED, D("2026-10-23"))
    assert stopped.due_on == D("2026-11-11")
    assert stopped.suspensions[-1].resumed_on == D("2026-10-23")
    assert not stopped.is_overdue(D("2027-01-01"))


async def test_the_clock_acts_refuse_what_does_not_fit(session) -> None:
    who = subject()
    clock = await service.start_clock(session, who, "acceptance", D("2026-10-08"))
    with pytest.raises(ClockConflict):
        await service.start_clock(session, who, "acceptance", D("2026-10-09"))
    with pytest.raises(ClockConflict):
        await service.resume_clock(session, clock.id, D("2026-10-09"))
    with pytest.raises(ClockInvalid):
        await service.suspend_clock(session, clock.id, D("2026-10-07"), "现场考察")
    with pytest.raises(ClockInvalid):
        await service.suspend_clock(session, clock.id, D("2026-10-09"), "  ")
    with pytest.raises(ClockInvalid):
        await service.suspend_clock(session, clock.id, D("2026-10-09"), "专" * 1001)
    await service.suspend_clock(session, clock.id, D("2026-10-09"), "现场考察")
    with pytest.raises(ClockConflict):
        await service.suspend_clock(session, clock.id, D("2026-10-09"), "现场考察")
    with pytest.raises(ClockInvalid):
        await service.resume_clock(session, clock.id, D("2026-10-08"))
    with pytest.raises(ClockInvalid):
        await service.stop_clock(session, clock.id, D("2026-10-07"))
    stopped = await service.stop_clock(session, (who, ProcedureStep.ACCEPTANCE), D("2026-10-20"))
    # 10-08, then 10-09..10-19 suspended: the fifth working day is 10-23, so not late.
    assert (stopped.due_on, stopped.is_overdue()) == (D("2026-10-23"), False)
    with pytest.raises(ClockConflict):
        await service.stop_clock(session, clock.id, D("2026-10-21"))
    with pytest.raises(ClockNotFound):
        await service.stop_clock(session, (who, "acceptance"), D("2026-10-21"))
    with pytest.raises(ClockNotFound):
        await service.stop_clock(session, uuid.uuid4(), D("2026-10-21"))
    with pytest.raises(ClockInvalid):
        await service.start_clock(session, who, "coffee_break", D("2026-10-21"))
    # After the stop the step can run again (after a 补正).
    second = await service.start_clock(session, who, "acceptance", D("2026-10-21"))
    assert [c.id for c in await service.clocks_for(session, who)] == [clock.id, second.id]


async def test_a_deadline_reaching_a_year_not_loaded_awaits_its_calendar(
    registry, auth, session
) -> None:
    """The step is taken (a filing in December is not refused for want of next year's notice);
    its due date is unknown, never guessed, until the bureau loads the year."""
    clock = await service.start_clock(session, subject(), "decision", D("2026-12-10"))
    assert (clock.state, clock.due_on, clock.awaiting_year) == (ClockState.RUNNING, None, 2027)
    assert clock.calendar_versions == {}
    assert not clock.is_overdue(D("2027-06-01"))
    assert await service.overdue_clocks(session, D("2027-06-01")) == []
    # One working day less stays inside 2026: due on its last working day, nothing awaited.
    inside = await service.open_period(
        session, subject(), "preliminary_review", start=D("2026-12-10"), working_days=16
    )
    assert (inside.due_on, inside.awaiting_year) == (D("2026-12-31"), None)
    # A publicity period's last day is published with its notice: that one is refused.
    with pytest.raises(CalendarYearNotLoaded) as refused:
        await service.open_period(session, subject(), start=D("2026-12-28"))
    assert refused.value.year == 2027
    await session.commit()

    loaded = await registry.put(
        "/v1/calendar/2027",
        json={
            "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
            "make_up_working_days": [],
            "notice_no": "国办发明电〔2026〕9号",
        },
        headers=auth("city_admin"),
    )
    assert loaded.status_code == 200, loaded.text
    # 16 working days of December 2026, then 1-3 January off: the 20th is 7 January.
    [computed] = loaded.json()["recomputed_clocks"]
    assert computed | {"clock_id": None} == {
        "clock_id": None,
        "subject_id": str(clock.subject_id),
        "step": "decision",
        "old_due_on": None,
        "new_due_on": "2027-01-07",
        "old_calendar_versions": {},
        "new_calendar_versions": {"2026": 1, "2027": 1},
    }
    session.expire_all()
    now = await service.get_clock(session, clock.id)
    assert (now.due_on, now.awaiting_year) == (D("2027-01-07"), None)
    [history] = await service.clock_history(session, clock.id)
    assert (history.old_due_on, history.new_due_on) == (None, D("2027-01-07"))


async def test_a_resumed_clock_reaching_a_year_not_loaded_awaits_it(session) -> None:
    clock = await service.start_clock(session, subject(), "joint_review", D("2026-11-02"))
    assert clock.due_on is not None
    await service.suspend_clock(session, clock.id, D("2026-11-03"), "专家现场核查")
    resumed = await service.resume_clock(session, clock.id, D("2026-12-21"))
    assert (resumed.due_on, resumed.awaiting_year) == (None, 2027)
    stopped = await service.stop_clock(session, clock.id, D("2026-12-30"))
    assert (stopped.state, stopped.due_on, stopped.awaiting_year) == (
        ClockState.STOPPED,
        None,
        2027,
    )


async def test_a_publicity_period_is_a_clock_ending_on_its_last_day(session) -> None:
    period = await service.open_period(session, subject(), start=D("2026-09-30"))
    assert (period.step, period.length_wd, period.due_on) == (
        ProcedureStep.PUBLICITY,
        5,
        D("2026-10-12"),
    )
    assert "众创空间认定管理办法" in period.basis
    assert period.time_limit_version == 1
    assert not period.is_overdue(D("2026-12-01"))
    longer = await service.open_period(
        session, subject(), "publicity", start=D("2026-09-30"), working_days=7
    )
    assert (longer.due_on, longer.time_limit_version) == (D("2026-10-14"), None)
    assert longer.kind is LimitKind.INTERNAL
    assert longer.basis.startswith("7 working days as opened (the limit in force: 5, ")
    with pytest.raises(ClockInvalid):
        await service.open_period(session, subject(), start=D("2026-09-30"), working_days=0)


async def test_overdue_clocks_are_running_deadlines_past_their_day(session) -> None:
    late = await service.start_clock(session, subject(), "acceptance", D("2026-10-08"))
    await service.start_clock(session, subject(), "decision", D("2026-10-08"))
    await service.open_period(session, subject(), start=D("2026-10-08"))
    assert [c.id for c in await service.overdue_clocks(session, D("2026-10-14"))] == [late.id]


# --- recomputation on a calendar correction ---------------------------------------------------


def _2026(registry_holidays: list[str], make_up: list[str]) -> dict[str, Any]:
    return {
        "holidays": registry_holidays,
        "make_up_working_days": make_up,
        "notice_no": "国办发明电〔2025〕7号（更正）",
    }


async def _current_2026(registry, auth) -> dict[str, Any]:
    response = await registry.get("/v1/calendar/2026", headers=auth("auditor"))
    return dict(response.json()["current"])


async def _audit_details(registry, auth) -> list[dict[str, Any]]:
    response = await registry.get(
        "/v1/audit-log?object_type=calendar_year&object_id=2026", headers=auth("auditor")
    )
    return [json.loads(r["details"]) for r in response.json()["items"]]


async def test_a_correction_moves_running_clocks_and_never_an_ended_period(
    registry, auth, session, monkeypatch
) -> None:
    monkeypatch.setattr(service, "today_in_china", lambda: D("2026-10-14"))
    running = await service.start_clock(session, subject(), "preliminary_review", D("2026-09-30"))
    ended = await service.open_period(session, subject(), start=D("2026-10-08"))
    open_ = await service.open_period(session, subject(), start=D("2026-10-12"))
    stopped = await service.start_clock(session, subject(), "acceptance", D("2026-10-08"))
    stopped = await service.stop_clock(session, stopped.id, D("2026-10-09"))
    old_year = await service.start_clock(session, subject(), "decision", D("2025-03-03"))
    await session.commit()
    assert (running.due_on, ended.due_on, open_.due_on) == (
        D("2026-11-02"),
        D("2026-10-13"),
        D("2026-10-16"),
    )

    # Thursday 10-15 becomes a holiday: the running clock moves by one working day.
    seeded = await _current_2026(registry, auth)
    response = await registry.put(
        "/v1/calendar/2026",
        json=_2026([*seeded["holidays"], "2026-10-15"], seeded["make_up_working_days"]),
        headers=auth("city_admin"),
    )
    assert response.status_code == 200, response.text
    moved = {r["clock_id"]: r for r in response.json()["recomputed_clocks"]}
    assert set(moved) == {str(running.id), str(open_.id)}
    assert moved[str(running.id)] | {"clock_id": None} == {
        "clock_id": None,
        "subject_id": str(running.subject_id),
        "step": "preliminary_review",
        "old_due_on": "2026-11-02",
        "new_due_on": "2026-11-03",
        "old_calendar_versions": {"2026": 1},
        "new_calendar_versions": {"2026": 2},
    }
    assert (moved[str(open_.id)]["old_due_on"], moved[str(open_.id)]["new_due_on"]) == (
        "2026-10-16",
        "2026-10-19",
    )

    # Saturday 10-10 is no longer worked: the running clock moves again; the period that
    # ended on 10-13 counted 10-10 and is never changed.
    response = await registry.put(
        "/v1/calendar/2026",
        json=_2026(
            [*seeded["holidays"], "2026-10-15"],
            [d for d in seeded["make_up_working_days"] if d != "2026-10-10"],
        ),
        headers=auth("city_admin"),
    )
    assert response.status_code == 200, response.text
    assert {r["clock_id"] for r in response.json()["recomputed_clocks"]} == {
        str(running.id),
        str(open_.id),
    }

    session.expire_all()
    clocks = {
        c.id: c
        for s in (running, ended, open_, stopped, old_year)
        for c in await service.clocks_for(session, s.subject_id)
    }
    assert clocks[running.id].due_on == D("2026-11-04")
    assert clocks[running.id].calendar_versions == {2026: 3}
    assert (clocks[open_.id].due_on, clocks[open_.id].calendar_versions) == (
        D("2026-10-19"),
        {2026: 3},
    )
    assert clocks[ended.id].due_on == D("2026-10-13")
    assert clocks[ended.id].calendar_versions == {2026: 1}
    assert clocks[stopped.id].due_on == stopped.due_on
    assert clocks[old_year.id].due_on == old_year.due_on

    history = await service.clock_history(session, running.id)
    assert [(h.old_due_on, h.new_due_on, h.calendar_version) for h in history] == [
        (D("2026-11-02"), D("2026-11-03"), 2),
        (D("2026-11-03"), D("2026-11-04"), 3),
    ]
    assert [(h.old_calendar_versions, h.new_calendar_versions) for h in history] == [
        ('{"2026":1}', '{"2026":2}'),
        ('{"2026":2}', '{"2026":3}'),
    ]
    assert history[0].recorded_by == "test-city_admin-all"
    assert await service.clock_history(session, ended.id) == []
    await session.rollback()  # SQLite: end this session's transaction before the app reads

    audits = await _audit_details(registry, auth)
    assert [a["version"] for a in audits] == [2, 3]
    first = {r["clock_id"]: r for r in audits[0]["recomputed_clocks"]}
    assert (first[str(running.id)]["old_due_on"], first[str(running.id)]["new_due_on"]) == (
        "2026-11-02",
        "2026-11-03",
    )


async def test_a_correction_that_would_push_a_publicity_period_into_an_unloaded_year_is_refused(
    registry, auth, session, monkeypatch
) -> None:
    monkeypatch.setattr(service, "today_in_china", lambda: D("2026-12-01"))
    clock = await service.open_period(session, subject(), start=D("2026-12-21"))
    deadline = await service.start_clock(session, subject(), "acceptance", D("2026-12-21"))
    await session.commit()
    assert (clock.due_on, deadline.due_on) == (D("2026-12-25"), D("2026-12-25"))
    seeded = await _current_2026(registry, auth)
    christmas_week = ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-25"]
    response = await registry.put(
        "/v1/calendar/2026",
        json=_2026([*seeded["holidays"], *christmas_week], seeded["make_up_working_days"]),
        headers=auth("city_admin"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["year"] == 2027
    assert (await _current_2026(registry, auth))["version"] == 1
    session.expire_all()
    [kept] = await service.clocks_for(session, clock.subject_id)
    assert (kept.due_on, kept.calendar_versions) == (D("2026-12-25"), {2026: 1})
    [unmoved] = await service.clocks_for(session, deadline.subject_id)
    assert (unmoved.due_on, unmoved.awaiting_year) == (D("2026-12-25"), None)


async def test_a_correction_that_pushes_a_deadline_into_an_unloaded_year_awaits_it(
    registry, auth, session
) -> None:
    clock = await service.start_clock(session, subject(), "decision", D("2026-12-01"))
    await session.commit()
    assert clock.due_on == D("2026-12-28")
    seeded = await _current_2026(registry, auth)
    christmas_week = ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-25"]
    response = await registry.put(
        "/v1/calendar/2026",
        json=_2026([*seeded["holidays"], *christmas_week], seeded["make_up_working_days"]),
        headers=auth("city_admin"),
    )
    assert response.status_code == 200, response.text
    [moved] = response.json()["recomputed_clocks"]
    assert (moved["old_due_on"], moved["new_due_on"]) == ("2026-12-28", None)
    session.expire_all()
    now = await service.get_clock(session, clock.id)
    assert (now.due_on, now.awaiting_year, now.calendar_versions) == (None, 2027, {})


async def test_history_and_time_limits_are_append_only(session) -> None:
    clock = await service.start_clock(session, subject(), "decision", D("2026-10-08"))
    await session.commit()
    for statement in (
        sa.text("UPDATE procedure_time_limits SET length_wd = 1"),
        sa.text("DELETE FROM calendar_days WHERE year = 2026"),
        sa.text("UPDATE calendar_years SET notice_no = 'x'"),
    ):
        with pytest.raises(sa.exc.DBAPIError):
            await session.execute(statement)
        await session.rollback()
    assert (await session.get(ProcedureClock, clock.id)) is not None


@pytest.mark.backends("postgresql")
async def test_a_clock_started_during_a_correction_is_not_missed(registry, auth, session) -> None:
    """A clock computed on a year's calendar holds it against a correction until it commits;
    the correction then recomputes it (without the lock it would keep the old due date)."""
    seeded = await _current_2026(registry, auth)
    clock = await service.start_clock(session, subject(), "preliminary_review", D("2026-09-30"))
    correction = asyncio.create_task(
        registry.put(
            "/v1/calendar/2026",
            json=_2026([*seeded["holidays"], "2026-10-15"], seeded["make_up_working_days"]),
            headers=auth("city_admin"),
        )
    )
    await asyncio.sleep(0.5)
    assert not correction.done()  # waits for the clock's transaction
    await session.commit()
    response = await correction
    assert response.status_code == 200, response.text
    [moved] = response.json()["recomputed_clocks"]
    assert (moved["clock_id"], moved["new_due_on"]) == (str(clock.id), "2026-11-03")
