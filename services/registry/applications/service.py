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
)
from services.registry.applications.repository import Filters, Scope
from services.registry.applications.schemas import (
    ApplicationCreate,
    ApplicationOut,
    ConditionChange,
    Correction,
    Decision,
    DecisionOutcome,
    Evaluation,
    Expert,
    ExpertAssignment,
    ExpertReview,
    JointOpinion,
    Judgement,
    Opinion,
    Publicity,
    Recognition,
    ReEvaluation,
    ReviewUnit,
    StepOut,
    Submission,
    Withdrawal,
)
from services.registry.clients.eligibility import EligibilityClient, EvaluationReceipt
from services.registry.events import outbox
from services.registry.facts import service as facts
from services.registry.spaces import service as spaces
from services.registry.spaces.models import Space
from shared.auth import Principal, Role
from shared.contracts.events import ApplicationDecided, ApplicationDecision
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
    opinion: str | None = None,
    document_no: str | None = None,
    details: dict[str, Any] | None = None,
) -> ApplicationStep:
    """Append the step's record and move the application's state with it."""
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
        effective_on=effective_on or today_in_china(),
        opinion=opinion,
        document_no=document_no,
        details=details,
    )
    application.state = to_state
    await repository.add(session, step)
    return step


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
        opinion=data.opinion,
        details={
            "receipt_id": str(receipt.id),
            "ruleset_id": receipt.decision.ruleset.id,
            "ruleset_hash": receipt.decision.ruleset.content_hash,
            "verdict": receipt.decision.verdict,
            "needs_review": application.needs_review,
        },
    )
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
    await record_step(
        session,
        principal,
        application,
        action,
        targets[action],
        opinion=data.opinion,
        document_no=data.document_no if isinstance(data, Opinion) else None,
    )
    return application, space


async def return_for_correction(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: Correction
) -> tuple[Application, Space]:
    """补正: back to draft in a new round; what was given before is superseded (kept)."""
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.RETURN, principal)
    application.round += 1
    await record_step(
        session,
        principal,
        application,
        A.RETURN,
        S.DRAFT,
        opinion=data.opinion,
        document_no=data.document_no,
        details={"corrections": list(data.corrections)},
    )
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
    await record_step(
        session,
        principal,
        application,
        A.ASSIGN_EXPERTS,
        S.UNDER_REVIEW,
        opinion=data.opinion,
        document_no=data.document_no,
        details={"experts": list(data.experts)},
    )
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
    errors = future_date_errors("body.inspected_on", data.inspected_on)
    if application.application_date and data.inspected_on < application.application_date:
        errors.append(
            _field(
                "body.inspected_on",
                f"is before the application date ({application.application_date})",
            )
        )
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
    await record_step(
        session,
        principal,
        application,
        A.JOINT_OPINION,
        S.UNDER_REVIEW,
        opinion=data.opinion,
        document_no=data.document_no,
        details={"units": {view.unit.value: view.view for view in data.units}},
    )
    return application, space


async def re_evaluate(
    session: AsyncSession,
    principal: Principal,
    client: EligibilityClient,
    application_id: uuid.UUID,
) -> tuple[Application, Space]:
    """The evaluation again, on the facts as of today, beside the submission's."""
    application, space = await get(session, principal, application_id, for_update=True)
    check_step(application, A.RE_EVALUATION, principal)
    on = today_in_china()
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
    errors = future_date_errors("body.meeting_date", data.meeting_date)
    if application.application_date and data.meeting_date < application.application_date:
        errors.append(
            _field(
                "body.meeting_date",
                f"is before the application date ({application.application_date})",
            )
        )
    if errors:
        _raise_all(errors)
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
        opinion=data.opinion,
        document_no=data.minutes_no,
        details={"outcome": data.outcome.value},
    )
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
        publicity=(
            Publicity(
                id=publicity.id,
                notice_no=publicity.notice_no,
                starts_on=publicity.starts_on,
                ends_on=publicity.ends_on,
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
