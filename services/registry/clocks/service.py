"""Legal clocks (法定期限) of the recognition procedure and the time limits they run; no HTTP.

Each step with a time limit (初审, 受理, 补正, 复审, 审定, 公示) carries a clock: the limit's kind
(statutory or internal), legal basis and length in working days are copied from the limit in
force when the clock starts (a later change of the limit does not move a running clock), and
its due date is the last working day of that many, counted on the official calendar from its
start (``calendar.service.working_period``: the first day counts if it is a working day).
Time that does not count, such as expert review and on-site inspection (《行政许可法》 art. 45),
is a suspension: while suspended the due date is unknown (``due_on`` None), and on resumption
it is computed again with the suspended days left out. A publicity period (公示) is a clock
whose due date is its last day. When the bureau corrects a year of the calendar, the running
clocks that used it are recomputed (``recompute_for_calendar``, called by ``flows``).

A deadline whose period reaches a year whose calendar is not loaded yet (a 20-working-day
初审 started in December, before the State Council's notice for the next year is loaded) does
not hold up the step: the clock runs with its due date unknown (``due_on`` None) and
``awaiting_year`` naming the year, never a guessed date, and the due date is computed when the
bureau loads that year. A publicity period is different: its last day is published with the
notice, so opening one that needs an unloaded year is refused (``CalendarYearNotLoaded``).

The API the applications use (``clock`` is a clock id or a ``(subject_id, step)`` pair naming
the subject's open clock of that step):

``await start_clock(session, subject_id, step, started_on) -> Clock``
    Starts the step's clock on the limit in force; refuses a second open clock of the step
    (``ClockConflict``). A period reaching an unloaded year starts awaiting its calendar.
``await suspend_clock(session, clock, on, reason) -> Clock``
    From ``on`` the days do not count (until resumed).
``await resume_clock(session, clock, on) -> Clock``
    ``on`` counts again; the due date is computed anew.
``await stop_clock(session, clock, on) -> Clock``
    The step is done (or ended) on ``on``; a suspended clock resumes and stops that day.
``await clocks_for(session, subject_id) -> list[Clock]``
    Every clock of the subject, the oldest first, with its suspensions.
``await open_period(session, subject_id, kind="publicity", *, start, working_days=5) -> Clock``
    A period (公示) of ``working_days`` working days from ``start``; ``due_on`` is its last day
    (refused with ``CalendarYearNotLoaded`` if it reaches an unloaded year).
``await overdue_clocks(session, today=None) -> list[Clock]``
    Running deadlines (not periods) whose last day has passed (China's date).
``Clock.is_overdue(today)``: past its due date while running, or stopped after it.
Errors: ``ClockNotFound`` (404), ``ClockConflict`` (409), ``ClockInvalid`` (422),
``TimeLimitMissing`` (422) and the calendar's ``CalendarYearNotLoaded`` (422).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.calendar.service import (
    CalendarYearNotLoaded,
    WorkingPeriod,
    working_period,
)
from services.registry.clocks import repository
from services.registry.clocks.models import (
    ClockState,
    LimitKind,
    ProcedureClock,
    ProcedureClockHistory,
    ProcedureClockSuspension,
    ProcedureStep,
    ProcedureTimeLimit,
)
from services.registry.clocks.schemas import TimeLimitPut
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, NotFound, UnprocessableRequest
from shared.timezone import today_in_china

CALENDAR_CORRECTION = "calendar_correction"


class ClockNotFound(NotFound):
    slug = "clock-not-found"


class ClockConflict(Conflict):
    slug = "clock-conflict"


class ClockInvalid(UnprocessableRequest):
    slug = "clock-invalid"


class TimeLimitMissing(UnprocessableRequest):
    slug = "time-limit-missing"


@dataclass(frozen=True)
class Suspension:
    suspended_on: date
    resumed_on: date | None  # the day counting resumes; None while suspended
    reason: str


@dataclass(frozen=True)
class Clock:
    id: uuid.UUID
    subject_id: uuid.UUID
    step: ProcedureStep
    kind: LimitKind
    basis: str
    length_wd: int
    time_limit_version: int | None
    started_on: date
    due_on: date | None  # None while suspended or awaiting a year's calendar
    awaiting_year: int | None  # the year whose calendar the due date waits for
    calendar_versions: dict[int, int]  # year -> calendar version used for due_on
    state: ClockState
    stopped_on: date | None
    suspensions: tuple[Suspension, ...]

    @property
    def is_period(self) -> bool:
        """A publicity period ends on its due date; it is never late."""
        return self.step is ProcedureStep.PUBLICITY

    def is_overdue(self, today: date | None = None) -> bool:
        if self.is_period or self.due_on is None:
            return False
        if self.state is ClockState.STOPPED:
            return self.stopped_on is not None and self.stopped_on > self.due_on
        return (today or today_in_china()) > self.due_on


@dataclass(frozen=True)
class Recomputation:
    clock_id: uuid.UUID
    subject_id: uuid.UUID
    step: ProcedureStep
    old_due_on: date | None  # None: the due date awaited a year's calendar
    new_due_on: date | None  # None: it awaits a year's calendar still
    old_calendar_versions: dict[int, int]
    new_calendar_versions: dict[int, int]


@dataclass(frozen=True)
class TimeLimitRecord:
    step: ProcedureStep
    versions: tuple[ProcedureTimeLimit, ...]  # the latest (in force) first


ClockRef = uuid.UUID | tuple[uuid.UUID, ProcedureStep | str]


# --- clocks -----------------------------------------------------------------------------------


async def start_clock(
    session: AsyncSession, subject_id: uuid.UUID, step: ProcedureStep | str, started_on: date
) -> Clock:
    step = _step(step)
    limit = await repository.current_limit(session, step)
    if limit is None:
        raise TimeLimitMissing(
            f"No time limit is set for {step.value}; the bureau sets it with "
            f"PUT /v1/procedure/time-limits/{step.value}"
        )
    return await _start(
        session, subject_id, step, started_on, limit.length_wd, limit.kind, limit.basis, limit
    )


async def open_period(
    session: AsyncSession,
    subject_id: uuid.UUID,
    kind: ProcedureStep | str = ProcedureStep.PUBLICITY,
    *,
    start: date,
    working_days: int = 5,
) -> Clock:
    """A period of ``working_days`` working days from ``start`` (公示: 5, the first day
    counting); its basis is the step's time limit when one is set."""
    step = _step(kind)
    if not 1 <= working_days <= 250:
        raise ClockInvalid(f"A period lasts 1-250 working days, not {working_days}")
    limit = await repository.current_limit(session, step)
    if limit is not None and limit.length_wd == working_days:
        return await _start(
            session, subject_id, step, start, working_days, limit.kind, limit.basis, limit
        )
    # A length other than the limit's is the caller's own: the limit's basis does not cover it.
    basis = f"{working_days} working days as opened"
    if limit is not None:
        basis += f" (the limit in force: {limit.length_wd}, {limit.basis})"
    return await _start(
        session, subject_id, step, start, working_days, LimitKind.INTERNAL, basis[:1000], None
    )


async def suspend_clock(session: AsyncSession, clock: ClockRef, on: date, reason: str) -> Clock:
    row = await _find(session, clock)
    if row.state is not ClockState.RUNNING:
        raise ClockConflict(
            f"The {row.step.value} clock is {row.state.value}; only a running clock is suspended",
            state=row.state.value,
        )
    suspensions = await repository.suspensions_of(session, [row.id])
    earliest = max([row.started_on, *(s.resumed_on for s in suspensions if s.resumed_on)])
    if on < earliest:
        raise ClockInvalid(
            f"A suspension starts on or after {earliest} (the clock's start or its last "
            f"resumption), not {on}"
        )
    if not reason.strip() or len(reason.strip()) > 1000:
        raise ClockInvalid(
            "A suspension says in 1-1000 characters why the days do not count (reason)"
        )
    await repository.add(
        session,
        ProcedureClockSuspension(
            id=uuid.uuid4(),
            clock_id=row.id,
            suspended_on=on,
            resumed_on=None,
            reason=reason.strip(),
            recorded_at=utcnow(),
        ),
    )
    row.state = ClockState.SUSPENDED
    row.due_on = None
    row.awaiting_year = None  # known again on resumption
    await session.flush()
    return await _view(session, row)


async def resume_clock(session: AsyncSession, clock: ClockRef, on: date) -> Clock:
    row = await _find(session, clock)
    if row.state is not ClockState.SUSPENDED:
        raise ClockConflict(
            f"The {row.step.value} clock is {row.state.value}, not suspended",
            state=row.state.value,
        )
    await _resume(session, row, on)
    row.state = ClockState.RUNNING
    await session.flush()
    return await _view(session, row)


async def stop_clock(session: AsyncSession, clock: ClockRef, on: date) -> Clock:
    row = await _find(session, clock)
    if row.state is ClockState.STOPPED:
        raise ClockConflict(
            f"The {row.step.value} clock stopped on {row.stopped_on}; it is kept as it is",
            state=row.state.value,
        )
    if on < row.started_on:
        raise ClockInvalid(f"A clock stops on or after its start ({row.started_on}), not {on}")
    if row.state is ClockState.SUSPENDED:
        await _resume(session, row, on)
    row.state = ClockState.STOPPED
    row.stopped_on = on
    await session.flush()
    return await _view(session, row)


async def clocks_for(session: AsyncSession, subject_id: uuid.UUID) -> list[Clock]:
    return await _views(session, await repository.clocks_of(session, subject_id))


async def get_clock(session: AsyncSession, clock: ClockRef) -> Clock:
    return await _view(session, await _find(session, clock, lock=False))


async def overdue_clocks(session: AsyncSession, today: date | None = None) -> list[Clock]:
    rows = await repository.overdue(session, today or today_in_china())
    return await _views(session, [r for r in rows if r.step is not ProcedureStep.PUBLICITY])


async def clock_history(
    session: AsyncSession, clock_id: uuid.UUID
) -> Sequence[ProcedureClockHistory]:
    """The clock's recomputations by calendar corrections, the oldest first."""
    return await repository.history_of(session, [clock_id])


async def recompute_for_calendar(
    session: AsyncSession, principal: Principal, year: int, version: int
) -> list[Recomputation]:
    """Recompute, on the year's new calendar version, every running clock whose period reaches
    into ``year``, except publicity periods already ended (their last day before today, China
    time): those, and stopped clocks, are never changed. Each is recorded in the history."""
    done: list[Recomputation] = []
    for row in await repository.clocks_to_recompute(session, year, today_in_china()):
        old_due, old_versions = row.due_on, _versions(row.calendar_versions)
        await _compute(session, row)
        new_versions = _versions(row.calendar_versions)
        await repository.add(
            session,
            ProcedureClockHistory(
                id=uuid.uuid4(),
                clock_id=row.id,
                cause=CALENDAR_CORRECTION,
                calendar_year=year,
                calendar_version=version,
                old_due_on=old_due,
                new_due_on=row.due_on,
                old_calendar_versions=_dump(old_versions),
                new_calendar_versions=row.calendar_versions,
                recorded_at=utcnow(),
                recorded_by=principal.subject,
            ),
        )
        done.append(
            Recomputation(
                clock_id=row.id,
                subject_id=row.subject_id,
                step=row.step,
                old_due_on=old_due,
                new_due_on=row.due_on,
                old_calendar_versions=old_versions,
                new_calendar_versions=new_versions,
            )
        )
    await session.flush()
    return done


# --- time limits ------------------------------------------------------------------------------


async def list_limits(session: AsyncSession) -> list[TimeLimitRecord]:
    rows = await repository.all_limits(session)
    return [
        TimeLimitRecord(step, tuple(r for r in rows if r.step is step))
        for step in ProcedureStep
        if any(r.step is step for r in rows)
    ]


async def set_limit(
    session: AsyncSession, principal: Principal, step: ProcedureStep, data: TimeLimitPut
) -> tuple[TimeLimitRecord, bool]:
    """A new version of the step's limit (running clocks keep theirs); the same limit sent
    again adds nothing. Returns the step's record and whether a version was added."""
    await repository.lock_limits(session)
    current = await repository.current_limit(session, step)
    same = current is not None and (current.kind, current.basis, current.length_wd) == (
        data.kind,
        data.basis,
        data.length_wd,
    )
    if not same:
        await repository.add(
            session,
            ProcedureTimeLimit(
                step=step,
                version=1 if current is None else current.version + 1,
                kind=data.kind,
                basis=data.basis,
                length_wd=data.length_wd,
                reason=data.reason,
                recorded_at=utcnow(),
                recorded_by=principal.subject,
            ),
        )
    [record] = [r for r in await list_limits(session) if r.step is step]
    return record, not same


# --- inside -----------------------------------------------------------------------------------


async def _start(
    session: AsyncSession,
    subject_id: uuid.UUID,
    step: ProcedureStep,
    started_on: date,
    length_wd: int,
    kind: LimitKind,
    basis: str,
    limit: ProcedureTimeLimit | None,
) -> Clock:
    running = await repository.open_clock(session, subject_id, step)
    if running is not None:
        raise ClockConflict(
            f"The subject's {step.value} clock started on {running.started_on} is still "
            f"{running.state.value} (id {running.id}); stop it before starting another",
            existing_id=str(running.id),
        )
    row = ProcedureClock(
        id=uuid.uuid4(),
        subject_id=subject_id,
        step=step,
        kind=kind,
        basis=basis,
        length_wd=length_wd,
        time_limit_version=limit.version if limit is not None else None,
        started_on=started_on,
        state=ClockState.RUNNING,
        stopped_on=None,
        created_at=utcnow(),
    )
    await _compute(session, row)
    await repository.add(session, row)
    return _clock(row, [])


async def _resume(session: AsyncSession, row: ProcedureClock, on: date) -> None:
    suspension = await repository.open_suspension(session, row.id)
    assert suspension is not None  # a suspended clock has one open suspension
    if on < suspension.suspended_on:
        raise ClockInvalid(
            f"The clock was suspended on {suspension.suspended_on}; it resumes on or after "
            f"that day, not {on}"
        )
    suspension.resumed_on = on
    await session.flush()
    await _compute(session, row)


async def _compute(session: AsyncSession, row: ProcedureClock) -> None:
    """Set the clock's due date on the current calendar, or, for a deadline whose period
    reaches a year not loaded, leave it unknown awaiting that year. A publicity period that
    needs an unloaded year is refused (its last day is published with the notice)."""
    try:
        period = await _period(session, row)
    except CalendarYearNotLoaded as missing:
        if row.step is ProcedureStep.PUBLICITY:
            raise
        row.due_on, row.awaiting_year = None, missing.year
        row.calendar_versions = _dump({})
        return
    row.due_on, row.awaiting_year = period.end, None
    row.calendar_versions = _dump(period.versions)


async def _period(session: AsyncSession, row: ProcedureClock) -> WorkingPeriod:
    """The clock's period on the current calendar, its closed suspensions not counting."""
    suspensions = await repository.suspensions_of(session, [row.id])
    spans = [
        (s.suspended_on, s.resumed_on - timedelta(days=1))
        for s in suspensions
        if s.resumed_on is not None
    ]
    return await working_period(session, row.started_on, row.length_wd, not_counting=spans)


async def _find(session: AsyncSession, clock: ClockRef, *, lock: bool = True) -> ProcedureClock:
    if isinstance(clock, tuple):
        subject_id, step = clock[0], _step(clock[1])
        row = await repository.open_clock(session, subject_id, step, for_update=lock)
        if row is None:
            raise ClockNotFound(f"The subject has no open {step.value} clock")
        return row
    found = await repository.get_clock(session, clock, for_update=lock)
    if found is None:
        raise ClockNotFound(f"No clock {clock}")
    return found


async def _view(session: AsyncSession, row: ProcedureClock) -> Clock:
    return _clock(row, await repository.suspensions_of(session, [row.id]))


async def _views(session: AsyncSession, rows: Sequence[ProcedureClock]) -> list[Clock]:
    suspensions = await repository.suspensions_of(session, [r.id for r in rows])
    return [_clock(r, [s for s in suspensions if s.clock_id == r.id]) for r in rows]


def _clock(row: ProcedureClock, suspensions: Sequence[ProcedureClockSuspension]) -> Clock:
    return Clock(
        id=row.id,
        subject_id=row.subject_id,
        step=row.step,
        kind=row.kind,
        basis=row.basis,
        length_wd=row.length_wd,
        time_limit_version=row.time_limit_version,
        started_on=row.started_on,
        due_on=row.due_on,
        awaiting_year=row.awaiting_year,
        calendar_versions=_versions(row.calendar_versions),
        state=row.state,
        stopped_on=row.stopped_on,
        suspensions=tuple(Suspension(s.suspended_on, s.resumed_on, s.reason) for s in suspensions),
    )


def _step(step: ProcedureStep | str) -> ProcedureStep:
    try:
        return ProcedureStep(step)
    except ValueError:
        raise ClockInvalid(
            f"No procedure step {step!r}; steps: {', '.join(s.value for s in ProcedureStep)}"
        ) from None


def _dump(versions: dict[int, int]) -> str:
    return json.dumps({str(y): v for y, v in sorted(versions.items())}, separators=(",", ":"))


def _versions(text: str) -> dict[int, int]:
    return {int(y): int(v) for y, v in json.loads(text).items()}
