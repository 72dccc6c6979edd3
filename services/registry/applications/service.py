"""The recognition procedure (认定程序) of an application; no HTTP here.

The steps, the states they move between, and who takes each (anything else is refused: a
state that does not allow the step with 409 naming the current state and the steps it allows,
a role that may not take it with 403, another district's application with the same 404 as an
unknown one):

    submit               draft                    -> submitted      district  申报
    recommend            submitted                -> recommended    district  初审推荐
    return               submitted                -> draft          district  退回补正
    reject               submitted                -> rejected       district  初审不予推荐
    accept               recommended              -> accepted       bureau    受理
    refuse               recommended              -> rejected       bureau    不予受理
    return               recommended | accepted | under_review
                                                  -> draft          bureau    退回补正
    assign_experts       accepted | under_review  -> under_review   bureau    组织专家复审
    expert_review        under_review             (stays)           expert    现场考察、评审意见
    joint_opinion        under_review             (stays)           bureau    联合评审意见
    re_evaluation        under_review             (stays)           bureau    按现时事实重新判定
    decision             under_review             -> approved | rejected  bureau  局务会审定
    withdraw             draft ... under_review   -> withdrawn      district  撤回
    publicity            approved                 -> in_publicity   bureau    公示
    objection            in_publicity             (stays)           bureau    异议
    objection_resolution in_publicity             (stays) | -> rejected  bureau  异议处理
    publicity_close      in_publicity             -> publicised     bureau    公示期满
    recognition          publicised               -> recognised     bureau    认定

Every step writes an append-only record (who, with which role, when, the date of legal
meaning, the opinion and the document behind it); the application's state column moves with
it. A return for correction starts a new round: the records of earlier rounds are kept and
shown as superseded. Submission has the space's facts as of the application date judged by the
eligibility service and keeps its receipt; the decision needs every assigned expert's review
(with a judgement on every criterion left needs_review) and the joint review opinion.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.applications import repository
from services.registry.applications.models import (
    Application,
    ApplicationAction,
    ApplicationExpert,
    ApplicationState,
    ApplicationStep,
    Objection,
    ObjectionOutcome,
    ObjectionResolution,
    PublicityNotice,
    RecognitionBatch,
)
from services.registry.applications.repository import Filters, Scope
from services.registry.applications.schemas import (
    ApplicationCreate,
    ApplicationOut,
    ConditionChange,
    Correction,
    Decision,
    DecisionOutcome,
    DueDate,
    Evaluation,
    Expert,
    ExpertAssignment,
    ExpertReview,
    JointOpinion,
    Judgement,
    ObjectionCreate,
    ObjectionOut,
    ObjectionResolutionCreate,
    Opinion,
    Publicity,
    PublicityClose,
    PublicityCreate,
    PublicityItem,
    Recognition,
    RecognitionBatchCreate,
    RecognitionBatchOut,
    RecognitionPreview,
    RecognitionPreviewItem,
    ReEvaluation,
    ReviewUnit,
    StepOut,
    Submission,
    Withdrawal,
)
from services.registry.clients.eligibility import EligibilityClient, EvaluationReceipt
from services.registry.clocks import service as clocks
from services.registry.clocks.models import ClockState, ProcedureStep
from services.registry.clocks.service import Clock
from services.registry.events import outbox
from services.registry.facts import service as facts
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from services.registry.status import service as status
from services.registry.status.schemas import RecognitionCreate
from shared.auth import Principal, Role
from shared.contracts.events import (
    ApplicationDecided,
    ApplicationDecision,
    PublicityClosed,
    PublicityOpened,
)
from shared.db import utcnow
from shared.errors import Conflict, FieldError, Forbidden, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors, today_in_china

S = ApplicationState
A = ApplicationAction
DISTRICT, BUREAU, EXPERT = Role.DISTRICT_OFFICER, Role.CITY_ADMIN, Role.EXPERT


class ApplicationNotFound(NotFound):
    slug = "application-not-found"


class ApplicationStepRefused(Conflict):
    slug = "application-step-refused"
    title = "Not allowed in the application's current state"


class OpenApplicationExists(Conflict):
    slug = "application-open-exists"
    title = "The space already has an open application"


class ReviewIncomplete(Conflict):
    slug = "application-review-incomplete"
    title = "The review is not complete"


class StepRecordedAlready(Conflict):
    slug = "application-step-recorded"
    title = "Already recorded in this round"


class ApplicationInvalid(RequestInvalid):
    slug = "application-invalid"


class ExpertNotAssigned(Forbidden):
    slug = "application-expert-not-assigned"
    title = "Not assigned to this application's review"


@dataclass(frozen=True, slots=True)
class Rule:
    action: ApplicationAction
    endpoint: str
    sources: frozenset[ApplicationState]
    role: Role


_OPEN_BEFORE_DECISION = frozenset({S.DRAFT, S.SUBMITTED, S.RECOMMENDED, S.ACCEPTED, S.UNDER_REVIEW})

RULES: tuple[Rule, ...] = (
    Rule(A.SUBMIT, "submit", frozenset({S.DRAFT}), DISTRICT),
    Rule(A.RECOMMEND, "recommend", frozenset({S.SUBMITTED}), DISTRICT),
    Rule(A.RETURN, "return", frozenset({S.SUBMITTED}), DISTRICT),
    Rule(A.REJECT, "reject", frozenset({S.SUBMITTED}), DISTRICT),
    Rule(A.ACCEPT, "accept", frozenset({S.RECOMMENDED}), BUREAU),
    Rule(A.REFUSE, "refuse", frozenset({S.RECOMMENDED}), BUREAU),
    Rule(A.RETURN, "return", frozenset({S.RECOMMENDED, S.ACCEPTED, S.UNDER_REVIEW}), BUREAU),
    Rule(A.ASSIGN_EXPERTS, "experts", frozenset({S.ACCEPTED, S.UNDER_REVIEW}), BUREAU),
    Rule(A.EXPERT_REVIEW, "expert-reviews", frozenset({S.UNDER_REVIEW}), EXPERT),
    Rule(A.JOINT_OPINION, "joint-opinion", frozenset({S.UNDER_REVIEW}), BUREAU),
    Rule(A.RE_EVALUATION, "re-evaluation", frozenset({S.UNDER_REVIEW}), BUREAU),
    Rule(A.DECISION, "decision", frozenset({S.UNDER_REVIEW}), BUREAU),
    Rule(A.WITHDRAW, "withdraw", _OPEN_BEFORE_DECISION, DISTRICT),
    Rule(A.PUBLICITY, "POST /v1/publicity-notices", frozenset({S.APPROVED}), BUREAU),
    Rule(A.OBJECTION, "objections", frozenset({S.IN_PUBLICITY}), BUREAU),
    Rule(
        A.OBJECTION_RESOLUTION,
        "objections/{objection_id}/resolution",
        frozenset({S.IN_PUBLICITY}),
        BUREAU,
    ),
    Rule(
        A.PUBLICITY_CLOSE,
        "POST /v1/publicity-notices/{id}/close",
        frozenset({S.IN_PUBLICITY}),
        BUREAU,
    ),
    Rule(A.RECOGNITION, "POST /v1/recognitions", frozenset({S.PUBLICISED}), BUREAU),
)


def allowed_actions(state: ApplicationState) -> list[str]:
    """The steps the state allows, each as ``action (role): how``."""
    return [
        f"{rule.action.value} ({rule.role.value}): "
        + (rule.endpoint if rule.endpoint.startswith("POST") else f"POST .../{rule.endpoint}")
        for rule in RULES
        if state in rule.sources
    ]


def check_step(application: Application, action: ApplicationAction, principal: Principal) -> None:
    """409 if the state does not allow ``action``; 403 if the caller's role may not take it."""
    rules = [rule for rule in RULES if rule.action is action]
    here = [rule for rule in rules if application.state in rule.sources]
    if not here:
        allowed = allowed_actions(application.state)
        raise ApplicationStepRefused(
            f"The application is {application.state.value}; {action.value} needs it to be "
            f"{' or '.join(sorted({s.value for r in rules for s in r.sources}))}. Steps "
            f"allowed now: {'; '.join(allowed) if allowed else 'none: the procedure has ended'}",
            current_state=application.state.value,
            allowed_actions=allowed,
        )
    if principal.role not in {rule.role for rule in here}:
        roles = ", ".join(sorted({rule.role.value for rule in here}))
        raise Forbidden(
            f"In state {application.state.value}, {action.value} is taken by {roles}, "
            f"not {principal.role.value}"
        )


def scope_of(principal: Principal) -> Scope:
    if principal.role is DISTRICT:
        return Scope(jurisdiction=principal.jurisdiction_scope)
    if principal.role is EXPERT:
        return Scope(expert=principal.subject)
    return Scope()


def _not_found(application_id: uuid.UUID) -> ApplicationNotFound:
    return ApplicationNotFound(f"No application {application_id}")


async def get(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> tuple[Application, Space]:
    found = await repository.get(
        session, application_id, scope_of(principal), for_update=for_update
    )
    if found is None:
        raise _not_found(application_id)
    return found


def _field(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message, type="value_error")


def _raise_all(errors: list[FieldError]) -> NoReturn:
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise ApplicationInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)


async def record_step(
    session: AsyncSession,
    principal: Principal,
    application: Application,
    action: ApplicationAction,
    to_state: ApplicationState,
    *,
    effective_on: date | None = None,
    field: str = "body.effective_on",
    opinion: str | None = None,
    document_no: str | None = None,
    details: dict[str, Any] | None = None,
    future_ok: bool = False,
) -> ApplicationStep:
    """Append the step's record and move the application's state with it.

    The step's date of legal meaning is not in the future; a step that moves the state is not
    dated before any earlier step, and one within a state (an expert's review, an objection)
    not before the state began (422 naming ``field`` otherwise). Publicity alone may be
    announced ahead of its first day (``future_ok``)."""
    on = effective_on or today_in_china()
    errors = [] if future_ok else future_date_errors(field, on)
    began, latest = await repository.step_dates(session, application.id)
    floor = latest if to_state is not application.state else began
    if not errors and floor is not None and on < floor:
        errors.append(
            _field(
                field,
                f"is before {floor}, the date of an earlier step of the application; steps "
                "are dated in the order they are taken",
            )
        )
    if errors:
        _raise_all(errors)
    application.last_seq += 1
    step = ApplicationStep(
        id=uuid.uuid4(),
        application_id=application.id,
        seq=application.last_seq,
        round=application.round,
        action=action,
        from_state=application.state if application.last_seq > 1 else None,
        to_state=to_state,
        actor_subject=principal.subject,
        actor_role=principal.role.value,
        recorded_at=utcnow(),
        effective_on=on,
        opinion=opinion,
        document_no=document_no,
        details=details,
    )
    application.state = to_state
    await repository.add(session, step)
    return step


# ---- legal clocks: which step starts, suspends and stops which


async def _stop_open(session: AsyncSession, application: Application, on: date) -> None:
    """Stop every clock of the application still open (its step ended on ``on``)."""
    for clock in await clocks.clocks_for(session, application.id):
        if clock.state is not ClockState.STOPPED:
            await clocks.stop_clock(session, clock.id, max(on, clock.started_on))


async def _open_clock(
    session: AsyncSession, application: Application, step: ProcedureStep
) -> Clock | None:
    for clock in await clocks.clocks_for(session, application.id):
        if clock.step is step and clock.state is not ClockState.STOPPED:
            return clock
    return None


REVIEW_SUSPENSION = (
    "复审：专家现场考察与评审不计入审定期限 (《中华人民共和国行政许可法》第四十五条)"
)


# ---- drafting and submission


async def create(
    session: AsyncSession, principal: Principal, data: ApplicationCreate
) -> tuple[Application, Space]:
    space = await spaces.get_space(session, principal, data.space_id, for_update=True)
    existing = await repository.open_of_space(session, space.id)
    if existing is not None:
        raise OpenApplicationExists(
            f"The space has an open application ({existing.id}, {existing.state.value}); "
            "continue or withdraw it before filing another",
            application_id=str(existing.id),
        )
    application = Application(
        id=uuid.uuid4(),
        space_id=space.id,
        state=S.DRAFT,
        round=1,
        last_seq=0,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    await repository.add(session, application)
    await record_step(session, principal, application, A.CREATE, S.DRAFT)
    return application, space


async def evaluate(
    session: AsyncSession,
    principal: Principal,
    client: EligibilityClient,
    space: Space,
    as_of: date,
) -> EvaluationReceipt:
    """The space's facts as of ``as_of``, judged (and the receipt kept) by the eligibility
    service; unreachable, it is a 503 and the caller's transaction writes nothing."""
    space_facts = await facts.get_facts(session, principal, space.id, as_of)
    return await client.evaluate(space_facts)


async def submit(
    session: AsyncSession,
    principal: Principal,
    client: EligibilityClient,
    application_id: uuid.UUID,
    data: Submission,
) -> tuple[Application, Space]:
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.SUBMIT, principal)
    on = data.application_date or today_in_china()
    errors = future_date_errors("body.application_date", on)
    if not errors and on < space.opened_on:
        errors.append(
            _field("body.application_date", f"is before the space opened ({space.opened_on})")
        )
    if errors:
        _raise_all(errors)
    receipt = await evaluate(session, principal, client, space, on)
    await _stop_open(session, application, on)
    application.application_date = on
    application.receipt_id = receipt.id
    application.ruleset_id = receipt.decision.ruleset.id
    application.ruleset_hash = receipt.decision.ruleset.content_hash
    application.verdict = receipt.decision.verdict
    application.conditions = receipt.verdicts
    application.needs_review = receipt.criteria("needs_review")
    await record_step(
        session,
        principal,
        application,
        A.SUBMIT,
        S.SUBMITTED,
        effective_on=on,
        field="body.application_date",
        opinion=data.opinion,
        details={
            "receipt_id": str(receipt.id),
            "ruleset_id": receipt.decision.ruleset.id,
            "ruleset_hash": receipt.decision.ruleset.content_hash,
            "verdict": receipt.decision.verdict,
            "needs_review": application.needs_review,
        },
    )
    await clocks.start_clock(session, application.id, ProcedureStep.PRELIMINARY_REVIEW, on)
    return application, space


# ---- 初审, 受理, 补正, withdrawal


async def simple_step(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    action: ApplicationAction,
    data: Opinion | Withdrawal,
) -> tuple[Application, Space]:
    """recommend, reject, accept, refuse, withdraw: a step with an opinion and nothing more."""
    targets = {
        A.RECOMMEND: S.RECOMMENDED,
        A.REJECT: S.REJECTED,
        A.ACCEPT: S.ACCEPTED,
        A.REFUSE: S.REJECTED,
        A.WITHDRAW: S.WITHDRAWN,
    }
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, action, principal)
    step = await record_step(
        session,
        principal,
        application,
        action,
        targets[action],
        effective_on=data.effective_on,
        opinion=data.opinion,
        document_no=data.document_no if isinstance(data, Opinion) else None,
    )
    await _stop_open(session, application, step.effective_on)
    following = {A.RECOMMEND: ProcedureStep.ACCEPTANCE, A.ACCEPT: ProcedureStep.DECISION}
    if action in following:
        await clocks.start_clock(session, application.id, following[action], step.effective_on)
    return application, space


async def return_for_correction(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: Correction
) -> tuple[Application, Space]:
    """补正: back to draft in a new round; what was given before is superseded (kept)."""
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.RETURN, principal)
    application.round += 1
    step = await record_step(
        session,
        principal,
        application,
        A.RETURN,
        S.DRAFT,
        effective_on=data.effective_on,
        opinion=data.opinion,
        document_no=data.document_no,
        details={"corrections": list(data.corrections)},
    )
    await _stop_open(session, application, step.effective_on)
    await clocks.start_clock(session, application.id, ProcedureStep.CORRECTION, step.effective_on)
    return application, space


# ---- 复审


async def assign_experts(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: ExpertAssignment
) -> tuple[Application, Space]:
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.ASSIGN_EXPERTS, principal)
    assigned = {e.expert_subject for e in await repository.experts_of_round(
        session, application.id, application.round
    )}  # fmt: skip
    errors = [
        _field(f"body.experts[{i}]", f"{subject} is named twice or already assigned this round")
        for i, subject in enumerate(data.experts)
        if subject in assigned or data.experts.index(subject) != i
    ]
    if errors:
        _raise_all(errors)
    now = utcnow()
    await repository.add(
        session,
        *(
            ApplicationExpert(
                application_id=application.id,
                round=application.round,
                expert_subject=subject,
                assigned_at=now,
                assigned_by=principal.subject,
            )
            for subject in data.experts
        ),
    )
    first = application.state is S.ACCEPTED
    step = await record_step(
        session,
        principal,
        application,
        A.ASSIGN_EXPERTS,
        S.UNDER_REVIEW,
        effective_on=data.effective_on,
        opinion=data.opinion,
        document_no=data.document_no,
        details={"experts": list(data.experts)},
    )
    if first:
        on = step.effective_on
        deciding = await _open_clock(session, application, ProcedureStep.DECISION)
        if deciding is not None:
            await clocks.suspend_clock(session, deciding.id, on, REVIEW_SUSPENSION)
        await clocks.start_clock(session, application.id, ProcedureStep.JOINT_REVIEW, on)
    return application, space


async def record_expert_review(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: ExpertReview
) -> tuple[Application, Space]:
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.EXPERT_REVIEW, principal)
    experts = await repository.experts_of_round(session, application.id, application.round)
    if principal.subject not in {e.expert_subject for e in experts}:
        raise ExpertNotAssigned(
            f"You ({principal.subject}) are not assigned to this round's review of the "
            "application; the bureau assigns experts (POST .../experts)"
        )
    reviews = await repository.steps_of_round(
        session, application.id, application.round, A.EXPERT_REVIEW
    )
    if any(r.actor_subject == principal.subject for r in reviews):
        raise StepRecordedAlready(
            "You have recorded your inspection and opinion in this round already"
        )
    errors: list[FieldError] = []
    needed = list(application.needs_review or [])
    seen: set[str] = set()
    for index, item in enumerate(data.judgements):
        where = f"body.judgements[{index}]"
        if item.criterion not in needed:
            errors.append(
                _field(
                    f"{where}.criterion",
                    f"{item.criterion} was not left needs_review; judge only "
                    f"{', '.join(needed) or 'nothing'}",
                )
            )
        elif item.criterion in seen:
            errors.append(_field(f"{where}.criterion", f"{item.criterion} is judged twice"))
        seen.add(item.criterion)
        if item.judgement is Judgement.NOT_MET and item.reason is None:
            errors.append(_field(f"{where}.reason", "is required when the criterion is not met"))
    missing = [criterion for criterion in needed if criterion not in seen]
    if missing:
        errors.append(
            _field(
                "body.judgements",
                f"lacks a judgement on {', '.join(missing)} (left needs_review by the "
                "submission's evaluation)",
            )
        )
    if errors:
        _raise_all(errors)
    await record_step(
        session,
        principal,
        application,
        A.EXPERT_REVIEW,
        S.UNDER_REVIEW,
        effective_on=data.inspected_on,
        field="body.inspected_on",
        opinion=data.opinion,
        details={
            "inspected_on": data.inspected_on.isoformat(),
            "findings": data.findings,
            "judgements": [j.model_dump(mode="json") for j in data.judgements],
        },
    )
    return application, space


async def record_joint_opinion(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: JointOpinion
) -> tuple[Application, Space]:
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.JOINT_OPINION, principal)
    if await repository.steps_of_round(session, application.id, application.round, A.JOINT_OPINION):
        raise StepRecordedAlready("The joint review opinion of this round is recorded already")
    units = [view.unit for view in data.units]
    errors = [
        _field(f"body.units[{i}].unit", f"{unit.value} is given twice")
        for i, unit in enumerate(units)
        if units.index(unit) != i
    ]
    missing = [unit.value for unit in ReviewUnit if unit not in units]
    if missing:
        errors.append(_field("body.units", f"lacks the view of {', '.join(missing)}"))
    if errors:
        _raise_all(errors)
    step = await record_step(
        session,
        principal,
        application,
        A.JOINT_OPINION,
        S.UNDER_REVIEW,
        effective_on=data.effective_on,
        opinion=data.opinion,
        document_no=data.document_no,
        details={"units": {view.unit.value: view.view for view in data.units}},
    )
    # The review is over: its own clock stops, and the decision's counts again.
    on = step.effective_on
    reviewing = await _open_clock(session, application, ProcedureStep.JOINT_REVIEW)
    if reviewing is not None:
        await clocks.stop_clock(session, reviewing.id, max(on, reviewing.started_on))
    deciding = await _open_clock(session, application, ProcedureStep.DECISION)
    if deciding is not None and deciding.state is ClockState.SUSPENDED:
        await clocks.resume_clock(session, deciding.id, on)
    return application, space


async def re_evaluate(
    session: AsyncSession,
    principal: Principal,
    client: EligibilityClient,
    application_id: uuid.UUID,
    as_of: date | None,
) -> tuple[Application, Space]:
    """The evaluation again, on the facts as of ``as_of`` (today), beside the submission's."""
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.RE_EVALUATION, principal)
    on = as_of or today_in_china()
    errors = future_date_errors("body.as_of", on)
    if errors:
        _raise_all(errors)
    receipt = await evaluate(session, principal, client, space, on)
    before = dict(application.conditions or {})
    now = receipt.verdicts
    changes = [
        {"criterion": c, "at_submission": before.get(c), "now": now.get(c)}
        for c in sorted(set(before) | set(now), key=_criterion_order)
        if before.get(c) != now.get(c)
    ]
    await record_step(
        session,
        principal,
        application,
        A.RE_EVALUATION,
        S.UNDER_REVIEW,
        effective_on=on,
        field="body.as_of",
        details={
            "receipt_id": str(receipt.id),
            "as_of": on.isoformat(),
            "ruleset_id": receipt.decision.ruleset.id,
            "ruleset_hash": receipt.decision.ruleset.content_hash,
            "verdict": receipt.decision.verdict,
            "conditions": now,
            "changes": changes,
        },
    )
    return application, space


def _criterion_order(criterion: str) -> tuple[str, int]:
    return criterion[:1], int(criterion[1:]) if criterion[1:].isdigit() else 0


async def review_gaps(session: AsyncSession, application: Application) -> list[str]:
    """What the review of the current round still lacks before the decision."""
    gaps: list[str] = []
    experts = await repository.experts_of_round(session, application.id, application.round)
    reviews = await repository.steps_of_round(
        session, application.id, application.round, A.EXPERT_REVIEW
    )
    reviewed = {r.actor_subject for r in reviews}
    if not experts:
        gaps.append("no expert is assigned (POST .../experts)")
    lacking = [e.expert_subject for e in experts if e.expert_subject not in reviewed]
    if lacking:
        criteria = ", ".join(application.needs_review or []) or "no criterion"
        gaps.append(
            f"no inspection, opinion and judgement (on {criteria}) yet from {', '.join(lacking)}"
        )
    if not await repository.steps_of_round(
        session, application.id, application.round, A.JOINT_OPINION
    ):
        gaps.append("the joint review opinion (联合评审意见) is missing (POST .../joint-opinion)")
    return gaps


# ---- 审定


async def decide(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: Decision
) -> tuple[Application, Space]:
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.DECISION, principal)
    gaps = await review_gaps(session, application)
    if gaps:
        raise ReviewIncomplete(
            "The bureau's meeting decides on a complete review; still missing: " + "; ".join(gaps),
            missing=gaps,
        )
    approved = data.outcome is DecisionOutcome.APPROVED
    application.decided_on = data.meeting_date
    application.minutes_no = data.minutes_no
    await record_step(
        session,
        principal,
        application,
        A.DECISION,
        S.APPROVED if approved else S.REJECTED,
        effective_on=data.meeting_date,
        field="body.meeting_date",
        opinion=data.opinion,
        document_no=data.minutes_no,
        details={"outcome": data.outcome.value},
    )
    await _stop_open(session, application, data.meeting_date)
    await outbox.publish(
        session,
        ApplicationDecided,
        space,
        occurred_on=data.meeting_date,
        document_no=data.minutes_no,
        application_id=application.id,
        decision=ApplicationDecision(data.outcome.value),
    )
    return application, space


# ---- reads


async def list_page(
    session: AsyncSession, principal: Principal, filters: Filters, page: PageParams
) -> Sequence[tuple[Application, Space]]:
    return await repository.list_page(session, scope_of(principal), filters, page)


# A worklist per role: the states in which the next step is the role's.
WAITING_FOR: dict[Role, frozenset[ApplicationState]] = {
    DISTRICT: frozenset({S.DRAFT, S.SUBMITTED}),
    BUREAU: frozenset(
        {S.RECOMMENDED, S.ACCEPTED, S.UNDER_REVIEW, S.APPROVED, S.IN_PUBLICITY, S.PUBLICISED}
    ),
}


def worklist_filters(principal: Principal, filters: Filters) -> Filters:
    """``filters`` narrowed to what waits for the caller."""
    if principal.role is EXPERT:
        return Filters(**{**_as_dict(filters), "awaiting_expert": principal.subject})
    states = WAITING_FOR.get(principal.role, frozenset())
    return Filters(**{**_as_dict(filters), "states": states})


def _as_dict(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in Filters.__slots__}


async def steps(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, page: PageParams
) -> list[StepOut]:
    application, _ = await get(session, principal, application_id)
    rows = await repository.steps_page(session, application.id, page)
    fields = [name for name in StepOut.model_fields if name != "superseded"]
    return [
        StepOut.model_validate(
            {
                **{name: getattr(row, name) for name in fields},
                "superseded": row.round < application.round,
            }
        )
        for row in rows
    ]


async def out(session: AsyncSession, application: Application, space: Space) -> ApplicationOut:
    """The application as the API shows it."""
    experts = await repository.experts_of_round(session, application.id, application.round)
    reviewed = {
        r.actor_subject
        for r in await repository.steps_of_round(
            session, application.id, application.round, A.EXPERT_REVIEW
        )
    }
    re_evaluations = await repository.steps_of_round(
        session, application.id, application.round, A.RE_EVALUATION
    )
    publicity = (
        await repository.get_publicity(session, application.publicity_id)
        if application.publicity_id
        else None
    )
    period = await publicity_period(session, publicity.id) if publicity else None
    batch = (
        await repository.get_batch(session, application.recognition_batch_id)
        if application.recognition_batch_id
        else None
    )
    evaluation = None
    if application.receipt_id is not None:
        assert application.application_date is not None
        evaluation = Evaluation(
            receipt_id=application.receipt_id,
            as_of=application.application_date,
            ruleset_id=application.ruleset_id or "",
            ruleset_hash=application.ruleset_hash or "",
            verdict=application.verdict or "",
            conditions=dict(application.conditions or {}),
        )
    latest = re_evaluations[-1].details if re_evaluations else None
    return ApplicationOut(
        id=application.id,
        space_id=space.id,
        space_name=space.name,
        jurisdiction_code=space.jurisdiction_code,
        state=application.state,
        round=application.round,
        created_at=application.created_at,
        created_by=application.created_by,
        application_date=application.application_date,
        evaluation=evaluation,
        needs_review=list(application.needs_review or []),
        re_evaluation=(
            ReEvaluation(
                **{k: v for k, v in latest.items() if k != "changes"},
                changes=[ConditionChange(**c) for c in latest["changes"]],
            )
            if latest
            else None
        ),
        experts=[
            Expert(subject=e.expert_subject, reviewed=e.expert_subject in reviewed) for e in experts
        ],
        decided_on=application.decided_on,
        minutes_no=application.minutes_no,
        due_dates=[due_date(clock) for clock in await clocks.clocks_for(session, application.id)]
        + ([due_date(period)] if period else []),
        publicity=(
            Publicity(
                id=publicity.id,
                notice_no=publicity.notice_no,
                starts_on=publicity.starts_on,
                ends_on=period.due_on if period else None,
                closed_on=publicity.closed_on,
            )
            if publicity
            else None
        ),
        recognition=(
            Recognition(
                batch_id=batch.id,
                document_no=batch.document_no,
                announced_on=batch.announced_on,
                plaque_no=application.plaque_no or "",
            )
            if batch
            else None
        ),
        allowed_actions=allowed_actions(application.state),
    )


def due_date(clock: Clock) -> DueDate:
    return DueDate(
        step=clock.step.value,
        kind=clock.kind.value,
        basis=clock.basis,
        length_wd=clock.length_wd,
        started_on=clock.started_on,
        due_on=clock.due_on,
        awaiting_calendar_year=clock.awaiting_year,
        state=clock.state.value,
        stopped_on=clock.stopped_on,
        overdue=clock.is_overdue(),
    )


async def overdue_ids(session: AsyncSession) -> frozenset[uuid.UUID]:
    """Applications with a running clock past its due date (China's today)."""
    return frozenset(clock.subject_id for clock in await clocks.overdue_clocks(session))


# ---- 公示


class PublicityNotFound(NotFound):
    slug = "publicity-not-found"


class PublicityNotOver(Conflict):
    slug = "publicity-not-over"
    title = "The publicity period has not ended"


class BatchRefused(Conflict):
    slug = "application-batch-refused"
    title = "Not every application of the batch can take the step"


class ObjectionNotFound(NotFound):
    slug = "objection-not-found"


async def publicity_period(session: AsyncSession, notice_id: uuid.UUID) -> Clock | None:
    found = await clocks.clocks_for(session, notice_id)
    return found[0] if found else None


async def _batch(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> tuple[list[tuple[Application, Space] | None], list[FieldError]]:
    """The applications named (each locked), None for an unknown one; repeated ids refused."""
    errors = [
        _field(f"body.application_ids[{i}]", "is named twice")
        for i, app_id in enumerate(ids)
        if list(ids).index(app_id) != i
    ]
    found = [await repository.get(session, app_id, Scope(), for_update=True) for app_id in ids]
    return found, errors


async def open_publicity(
    session: AsyncSession, principal: Principal, data: PublicityCreate
) -> PublicityNotice:
    """Put a batch of approved applications to publicity under one notice: 5 working days from
    ``starts_on`` (the first day counting) on the official calendar."""
    if await repository.publicity_by_notice(session, data.notice_no) is not None:
        raise StepRecordedAlready(f"Publicity notice {data.notice_no} is recorded already")
    found, errors = await _batch(session, data.application_ids)
    if errors:
        _raise_all(errors)
    refusals = _refusals(data.application_ids, found, A.PUBLICITY, principal)
    if refusals:
        raise BatchRefused(
            "Publicity is opened for approved applications only; refused: " + "; ".join(refusals),
            refused=refusals,
        )
    notice = PublicityNotice(
        id=uuid.uuid4(),
        notice_no=data.notice_no,
        starts_on=data.starts_on,
        working_days=PUBLICITY_WORKING_DAYS,
        opened_at=utcnow(),
        opened_by=principal.subject,
    )
    await repository.add(session, notice)
    period = await clocks.open_period(
        session,
        notice.id,
        ProcedureStep.PUBLICITY,
        start=data.starts_on,
        working_days=PUBLICITY_WORKING_DAYS,
    )
    assert period.due_on is not None
    for item in found:
        assert item is not None
        application, space = item
        application.publicity_id = notice.id
        await record_step(
            session,
            principal,
            application,
            A.PUBLICITY,
            S.IN_PUBLICITY,
            effective_on=data.starts_on,
            field="body.starts_on",
            future_ok=True,
            document_no=data.notice_no,
            details={
                "publicity_id": str(notice.id),
                "starts_on": period.started_on.isoformat(),
                "ends_on": period.due_on.isoformat(),
            },
        )
        await outbox.publish(
            session,
            PublicityOpened,
            space,
            occurred_on=data.starts_on,
            document_no=data.notice_no,
            application_id=application.id,
            ends_on=period.due_on,
        )
    return notice


PUBLICITY_WORKING_DAYS = 5  # 公示 5个工作日 (the Measures)


def _refusals(
    ids: Sequence[uuid.UUID],
    found: Sequence[tuple[Application, Space] | None],
    action: ApplicationAction,
    principal: Principal,
) -> list[str]:
    refusals: list[str] = []
    for app_id, item in zip(ids, found, strict=True):
        if item is None:
            refusals.append(f"{app_id}: no such application")
            continue
        try:
            check_step(item[0], action, principal)
        except ApplicationStepRefused:
            refusals.append(f"{app_id}: is {item[0].state.value}")
    return refusals


async def get_publicity(
    session: AsyncSession, notice_id: uuid.UUID
) -> tuple[PublicityNotice, Clock | None, list[PublicityItem]]:
    notice = await repository.get_publicity(session, notice_id)
    if notice is None:
        raise PublicityNotFound(f"No publicity notice {notice_id}")
    items = [
        PublicityItem(
            application_id=application.id,
            space_id=space.id,
            space_name=space.name,
            state=application.state,
            unresolved_objections=await repository.unresolved_objections(session, application.id),
        )
        for application, space in await repository.applications_of_publicity(session, notice.id)
    ]
    return notice, await publicity_period(session, notice.id), items


async def close_publicity(
    session: AsyncSession, principal: Principal, notice_id: uuid.UUID, data: PublicityClose
) -> PublicityNotice:
    """公示期满: once the last working day has passed (China's today), every application of the
    notice without an unresolved objection is publicised; one with an unresolved objection
    stays in publicity until the objection is resolved, without holding up the others."""
    notice = await repository.get_publicity(session, notice_id, for_update=True)
    if notice is None:
        raise PublicityNotFound(f"No publicity notice {notice_id}")
    if notice.closed_on is not None:
        raise StepRecordedAlready(f"Publicity {notice.notice_no} closed on {notice.closed_on}")
    period = await publicity_period(session, notice.id)
    assert period is not None
    assert period.due_on is not None
    today = today_in_china()
    if today <= period.due_on:
        raise PublicityNotOver(
            f"Publicity {notice.notice_no} runs {period.started_on} to {period.due_on} "
            f"({notice.working_days} working days); it closes from the day after its last day, "
            f"not on {today}",
            ends_on=period.due_on.isoformat(),
        )
    notice.closed_on = today
    notice.closed_at = utcnow()
    notice.closed_by = principal.subject
    await clocks.stop_clock(session, period.id, period.due_on)
    for application, space in await repository.applications_of_publicity(
        session, notice.id, for_update=True
    ):
        if application.state is not S.IN_PUBLICITY:
            continue
        if await repository.unresolved_objections(session, application.id) == 0:
            await _publicised(session, principal, application, space, notice, today, data.opinion)
    await session.flush()
    return notice


async def _publicised(
    session: AsyncSession,
    principal: Principal,
    application: Application,
    space: Space,
    notice: PublicityNotice,
    on: date,
    opinion: str | None = None,
) -> None:
    await record_step(
        session,
        principal,
        application,
        A.PUBLICITY_CLOSE,
        S.PUBLICISED,
        effective_on=on,
        opinion=opinion,
        document_no=notice.notice_no,
    )
    await outbox.publish(
        session,
        PublicityClosed,
        space,
        occurred_on=on,
        document_no=notice.notice_no,
        application_id=application.id,
    )


# ---- 异议


async def lodge_objection(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: ObjectionCreate
) -> Objection:
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.OBJECTION, principal)
    assert application.publicity_id is not None
    period = await publicity_period(session, application.publicity_id)
    assert period is not None
    assert period.due_on is not None
    errors: list[FieldError] = []
    if not period.started_on <= data.raised_on <= period.due_on:
        errors.append(
            _field(
                "body.raised_on",
                f"is outside the publicity period ({period.started_on} to {period.due_on}); "
                "an objection is raised during publicity",
            )
        )
    known = await repository.documents_of_space(session, space.id, data.document_ids)
    errors += [
        _field(f"body.document_ids[{i}]", "is not a document of the space in the registry")
        for i, document_id in enumerate(data.document_ids)
        if document_id not in known
    ]
    if errors:
        _raise_all(errors)
    objection = Objection(
        id=uuid.uuid4(),
        application_id=application.id,
        publicity_id=application.publicity_id,
        raised_by=data.raised_by,
        raised_on=data.raised_on,
        content=data.content,
        document_ids=[str(d) for d in data.document_ids],
        recorded_at=utcnow(),
        recorded_by=principal.subject,
    )
    await repository.add(session, objection)
    await record_step(
        session,
        principal,
        application,
        A.OBJECTION,
        S.IN_PUBLICITY,
        effective_on=data.raised_on,
        field="body.raised_on",
        opinion=data.content,
        details={"objection_id": str(objection.id), "raised_by": data.raised_by},
    )
    return objection


async def resolve_objection(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    objection_id: uuid.UUID,
    data: ObjectionResolutionCreate,
) -> tuple[Objection, ObjectionResolution]:
    """Upheld: the application is rejected. Dismissed: it goes on (publicised if its publicity
    has closed and no other objection is open)."""
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.OBJECTION_RESOLUTION, principal)
    found = await repository.get_objection(session, application.id, objection_id)
    if found is None:
        raise ObjectionNotFound(f"No objection {objection_id} to application {application.id}")
    objection, resolution = found
    if resolution is not None:
        raise StepRecordedAlready(
            f"The objection was resolved ({resolution.outcome.value}) on {resolution.resolved_on}"
        )
    upheld = data.outcome is ObjectionOutcome.UPHELD
    resolved_on = data.effective_on or today_in_china()
    if resolved_on < objection.raised_on:
        _raise_all(
            [
                _field(
                    "body.effective_on",
                    f"is before the objection was raised ({objection.raised_on})",
                )
            ]
        )
    step = await record_step(
        session,
        principal,
        application,
        A.OBJECTION_RESOLUTION,
        S.REJECTED if upheld else S.IN_PUBLICITY,
        effective_on=resolved_on,
        opinion=data.reason,
        details={"objection_id": str(objection.id), "outcome": data.outcome.value},
    )
    resolution = ObjectionResolution(
        objection_id=objection.id,
        outcome=data.outcome,
        reason=data.reason,
        resolved_on=step.effective_on,
        recorded_at=utcnow(),
        recorded_by=principal.subject,
    )
    await repository.add(session, resolution)
    if not upheld and await repository.unresolved_objections(session, application.id) == 0:
        notice = await repository.get_publicity(session, objection.publicity_id)
        if notice is not None and notice.closed_on is not None:
            await _publicised(session, principal, application, space, notice, step.effective_on)
    return objection, resolution


async def objections(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> list[ObjectionOut]:
    application, _ = await get(session, principal, application_id)
    return [objection_out(o, r) for o, r in await repository.objections_of(session, application.id)]


def objection_out(objection: Objection, resolution: ObjectionResolution | None) -> ObjectionOut:
    return ObjectionOut(
        id=objection.id,
        application_id=objection.application_id,
        publicity_id=objection.publicity_id,
        raised_by=objection.raised_by,
        raised_on=objection.raised_on,
        content=objection.content,
        document_ids=[uuid.UUID(d) for d in objection.document_ids],
        recorded_at=objection.recorded_at,
        recorded_by=objection.recorded_by,
        outcome=resolution.outcome if resolution else None,
        reason=resolution.reason if resolution else None,
        resolved_on=resolution.resolved_on if resolution else None,
    )


# ---- 认定


def plaque_number(year: int, seq: int) -> str:
    """The plaque's number: 兰科众创〔year〕第NNN号, the announcement's year and the sequence of
    recognitions within that year (three digits at least)."""
    return f"兰科众创〔{year}〕第{seq:03d}号"


async def _plan(
    session: AsyncSession, principal: Principal, data: RecognitionBatchCreate
) -> tuple[list[RecognitionPreviewItem], list[tuple[Application, Space]]]:
    """What recognising the batch would do to each application; nothing is written."""
    found, errors = await _batch(session, data.application_ids)
    errors += future_date_errors("body.announced_on", data.announced_on)
    if errors:
        _raise_all(errors)
    await repository.lock_plaques(session)
    seq = await repository.last_plaque_seq(session, data.announced_on.year)
    items: list[RecognitionPreviewItem] = []
    ready: list[tuple[Application, Space]] = []
    for app_id, item in zip(data.application_ids, found, strict=True):
        reason = None
        if item is None:
            items.append(
                RecognitionPreviewItem(
                    application_id=app_id, space_id=None, space_name=None, state=None,
                    outcome="refused", plaque_no=None, reason="no such application",
                )
            )  # fmt: skip
            continue
        application, space = item
        reason = await _recognition_refusal(session, application, data.announced_on)
        if reason is None:
            seq += 1
            ready.append(item)
        items.append(
            RecognitionPreviewItem(
                application_id=application.id,
                space_id=space.id,
                space_name=space.name,
                state=application.state,
                outcome="refused" if reason else "will_be_recognised",
                plaque_no=None if reason else plaque_number(data.announced_on.year, seq),
                reason=reason,
            )
        )
    return items, ready


async def _recognition_refusal(
    session: AsyncSession, application: Application, announced_on: date
) -> str | None:
    if application.state is S.IN_PUBLICITY:
        open_objections = await repository.unresolved_objections(session, application.id)
        if open_objections:
            return f"{open_objections} objection(s) not resolved; resolve each first"
        return "its publicity has not ended and been closed"
    if application.state is not S.PUBLICISED:
        return (
            f"is {application.state.value}; recognition follows a publicity that ended with "
            "every objection resolved"
        )
    _, latest = await repository.step_dates(session, application.id)
    if latest is not None and announced_on < latest:
        return f"announced_on is before its publicity closed ({latest})"
    return None


async def preview_recognition(
    session: AsyncSession, principal: Principal, data: RecognitionBatchCreate
) -> RecognitionPreview:
    items, _ = await _plan(session, principal, data)
    return RecognitionPreview(
        document_no=data.document_no,
        announced_on=data.announced_on,
        items=items,
        refused=sum(1 for item in items if item.outcome == "refused"),
    )


async def recognise_batch(
    session: AsyncSession, principal: Principal, data: RecognitionBatchCreate
) -> RecognitionBatchOut:
    """认定 of every application of the batch under one announcement, or of none: each gets its
    plaque number and the space the recognition act (municipal level, ``space.recognised``)."""
    if await repository.batch_by_document(session, data.document_no) is not None:
        raise StepRecordedAlready(f"Announcement {data.document_no} is recorded already")
    items, ready = await _plan(session, principal, data)
    refused = [f"{i.application_id}: {i.reason}" for i in items if i.outcome == "refused"]
    if refused:
        raise BatchRefused(
            "Nothing was recognised; the batch is recognised whole or not at all. Refused: "
            + "; ".join(refused)
            + ". See POST /v1/recognitions/preview",
            refused=refused,
        )
    batch = RecognitionBatch(
        id=uuid.uuid4(),
        document_no=data.document_no,
        announced_on=data.announced_on,
        reason=data.reason,
        recorded_at=utcnow(),
        recorded_by=principal.subject,
    )
    await repository.add(session, batch)
    for (application, space), item in zip(ready, items, strict=True):
        assert item.plaque_no is not None
        await status.recognise(
            session,
            principal,
            space.id,
            RecognitionCreate(
                effective_on=data.announced_on,
                document_no=data.document_no,
                remarks=f"认定申报 {application.id}，牌匾编号 {item.plaque_no}",
            ),
        )
        application.recognition_batch_id = batch.id
        application.plaque_year = data.announced_on.year
        application.plaque_seq = int(item.plaque_no.split("第")[1].rstrip("号"))
        application.plaque_no = item.plaque_no
        await record_step(
            session,
            principal,
            application,
            A.RECOGNITION,
            S.RECOGNISED,
            effective_on=data.announced_on,
            field="body.announced_on",
            opinion=data.reason,
            document_no=data.document_no,
            details={"batch_id": str(batch.id), "plaque_no": item.plaque_no},
        )
    return RecognitionBatchOut(
        id=batch.id,
        document_no=batch.document_no,
        announced_on=batch.announced_on,
        reason=batch.reason,
        recorded_at=batch.recorded_at,
        recorded_by=batch.recorded_by,
        items=items,
    )


class RecognitionBatchNotFound(NotFound):
    slug = "recognition-batch-not-found"


async def get_batch(session: AsyncSession, batch_id: uuid.UUID) -> RecognitionBatchOut:
    batch = await repository.get_batch(session, batch_id)
    if batch is None:
        raise RecognitionBatchNotFound(f"No recognition batch {batch_id}")
    rows = await repository.applications_of_batch(session, batch.id)
    return RecognitionBatchOut(
        id=batch.id,
        document_no=batch.document_no,
        announced_on=batch.announced_on,
        reason=batch.reason,
        recorded_at=batch.recorded_at,
        recorded_by=batch.recorded_by,
        items=[
            RecognitionPreviewItem(
                application_id=application.id,
                space_id=space.id,
                space_name=space.name,
                state=application.state,
                outcome="recognised",
                plaque_no=application.plaque_no,
                reason=None,
            )
            for application, space in rows
        ],
    )
