"""The rules for operators (运营主体): the credit code, the bureau's override, scope, and history.

No HTTP here. Every refusal is raised before anything is written, so a refused request
changes nothing; every change writes the new current row and appends the new version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.operators import repository
from services.registry.operators.models import Operator, OperatorVersion
from services.registry.operators.schemas import (
    OperatorCreate,
    OperatorFilters,
    OperatorUpdate,
)
from services.registry.operators.uscc import UsccCheck, UsccRule, check_uscc, normalise
from shared.auth import Principal, Role
from shared.db import utcnow
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ProblemError,
    RequestInvalid,
)
from shared.pagination import PageParams
from shared.timezone import today_in_china


class OperatorNotFound(NotFound):
    slug = "operator-not-found"


class OperatorInvalid(RequestInvalid):
    slug = "operator-invalid"


class DuplicateOperator(Conflict):
    slug = "operator-duplicate"


class OperatorOutsideJurisdiction(Forbidden):
    slug = "operator-outside-jurisdiction"


class UsccOverrideForbidden(Forbidden):
    slug = "operator-uscc-override-forbidden"


class OperatorMoveBlocked(Conflict):
    slug = "operator-move-blocked"


class PreconditionRequired(ProblemError):
    """428: an update must say which version it read (RFC 6585), or it could overwrite blindly."""

    status, slug, title = 428, "precondition-required", "If-Match required"


class StaleOperator(PreconditionFailed):
    slug = "operator-version-stale"


# Fields a correction may change, in the order the API lists them.
_EDITABLE = (
    "name",
    "kind",
    "founded_on",
    "registered_address",
    "registered_in_lanzhou",
    "jurisdiction_code",
    "independent_legal_person",
    "innovative_enterprise",
    "stable_revenue_evidence",
)


@dataclass(frozen=True)
class UsccOverride:
    """The bureau's explicit acceptance of a code whose check character is wrong."""

    reason: str
    by: str


@dataclass(frozen=True)
class OperatorChange:
    operator: Operator
    changed: tuple[str, ...]


def etag_for(version: int) -> str:
    return f'"{version}"'


async def create_operator(
    session: AsyncSession, principal: Principal, data: OperatorCreate
) -> Operator:
    _refuse_override_unless_bureau(principal, data.accept_invalid_check_character)
    if not principal.sees_jurisdiction(data.jurisdiction_code):
        raise OperatorOutsideJurisdiction(
            f"You manage jurisdiction {principal.jurisdiction_scope}; an operator in "
            f"{data.jurisdiction_code.value} is registered by that jurisdiction or the bureau"
        )
    errors = _founded_on_errors(data.founded_on)
    code, override, uscc_errors = _resolve_uscc(
        principal, data.uscc, data.accept_invalid_check_character, data.override_reason
    )
    _raise_if_invalid([*uscc_errors, *errors])
    await _refuse_duplicate(session, principal, code)
    now = utcnow()
    operator = Operator(
        id=uuid.uuid4(),
        uscc=code,
        name=data.name,
        kind=data.kind,
        founded_on=data.founded_on,
        registered_address=data.registered_address,
        registered_in_lanzhou=data.registered_in_lanzhou,
        jurisdiction_code=data.jurisdiction_code.value,
        uscc_override=override is not None,
        override_reason=override.reason if override else None,
        override_by=override.by if override else None,
        independent_legal_person=data.independent_legal_person,
        innovative_enterprise=data.innovative_enterprise,
        stable_revenue_evidence=data.stable_revenue_evidence,
        version=1,
        created_at=now,
        created_by=principal.subject,
        updated_at=now,
        updated_by=principal.subject,
    )
    return await repository.add(session, operator, _snapshot(operator))


async def get_operator(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID
) -> Operator:
    return await _visible(session, principal, operator_id)


async def list_operators(
    session: AsyncSession, principal: Principal, filters: OperatorFilters, page: PageParams
) -> Sequence[Operator]:
    return await repository.list_page(session, principal.jurisdiction_scope, filters, page)


async def list_versions(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, page: PageParams
) -> Sequence[OperatorVersion]:
    await _visible(session, principal, operator_id)
    return await repository.versions_page(session, operator_id, page)


async def update_operator(
    session: AsyncSession,
    principal: Principal,
    operator_id: uuid.UUID,
    data: OperatorUpdate,
    if_match: str | None,
) -> OperatorChange:
    """Apply a correction made against the version ``if_match`` names (the ETag it read)."""
    sent = data.model_fields_set
    _refuse_override_unless_bureau(principal, bool(data.accept_invalid_check_character))
    scope = principal.jurisdiction_scope
    if data.jurisdiction_code is not None and scope is not None and data.jurisdiction_code != scope:
        raise OperatorOutsideJurisdiction(
            "Moving an operator to another jurisdiction is the bureau's act (市科技局); "
            "ask the bureau to move it"
        )
    expected = _versions_in(if_match)
    operator = await _visible(session, principal, operator_id, for_update=True)
    if operator.version not in expected:
        raise StaleOperator(
            f"The operator is at version {operator.version}, not the version your If-Match "
            f"names ({if_match}); read it again, reapply your change and send its new ETag",
            headers={"ETag": etag_for(operator.version)},
            current_version=operator.version,
        )

    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in _EDITABLE
        if name in sent and getattr(data, name) != getattr(operator, name)
    }
    if "jurisdiction_code" in changes:
        changes["jurisdiction_code"] = changes["jurisdiction_code"].value
    errors = _founded_on_errors(data.founded_on) if "founded_on" in changes else []
    new_code: str | None = None
    override: UsccOverride | None = None
    override_sent = [
        name
        for name in ("accept_invalid_check_character", "override_reason")
        if getattr(data, name)  # accept: false asks for nothing
    ]
    if data.uscc is not None and normalise(data.uscc) != operator.uscc:
        new_code, override, uscc_errors = _resolve_uscc(
            principal, data.uscc, bool(data.accept_invalid_check_character), data.override_reason
        )
        errors.extend(uscc_errors)
    else:
        # Resending the current code (even a pilot-era one the bureau accepted) changes
        # nothing; an override belongs to a new code only.
        errors.extend(
            _field(f"body.{name}", "is sent only together with a new uscc", "value_error")
            for name in override_sent
        )
    _raise_if_invalid(errors)

    if new_code is not None:
        await _refuse_duplicate(session, principal, new_code)
    if "jurisdiction_code" in changes:
        await _refuse_move_away_from_spaces(session, operator, changes["jurisdiction_code"])
    if not changes and new_code is None:
        return OperatorChange(operator, ())  # nothing differs: no new version to record

    for name, value in changes.items():
        setattr(operator, name, value)
    changed = list(changes)
    if new_code is not None:
        operator.uscc = new_code
        operator.uscc_override = override is not None
        operator.override_reason = override.reason if override else None
        operator.override_by = override.by if override else None
        changed.append("uscc")
    operator.version += 1
    operator.updated_at = utcnow()
    operator.updated_by = principal.subject
    await repository.save_version(session, _snapshot(operator))
    return OperatorChange(operator, tuple(changed))


async def _visible(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, *, for_update: bool = False
) -> Operator:
    operator = await repository.get(
        session, operator_id, principal.jurisdiction_scope, for_update=for_update
    )
    if operator is None:
        # The same answer whether it does not exist or belongs to another jurisdiction.
        raise OperatorNotFound(f"No operator {operator_id} within your jurisdiction; check the id")
    return operator


async def find_visible(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID
) -> Operator | None:
    """The operator if the caller may see it, for other concepts (spaces) that refer to one."""
    return await repository.get(session, operator_id, principal.jurisdiction_scope)


def _refuse_override_unless_bureau(principal: Principal, accept: bool) -> None:
    if accept and principal.role is not Role.CITY_ADMIN:
        raise UsccOverrideForbidden(
            "Only the bureau (市科技局, role city_admin) may accept a code whose check "
            "character is wrong; ask the bureau to register this operator"
        )


def _resolve_uscc(
    principal: Principal, raw: str, accept: bool, reason: str | None
) -> tuple[str, UsccOverride | None, list[FieldError]]:
    """The normalised code, the override it is registered under (if any), and what is wrong."""
    check = check_uscc(raw)
    if accept:
        if check.valid:
            return check.code, None, [_accept_not_needed()]
        if not check.only_check_character_wrong:
            return check.code, None, [_uscc_error(check, principal, never_overridable=True)]
        if reason is None:
            return (
                check.code,
                None,
                [
                    _field(
                        "body.override_reason",
                        "is required when accept_invalid_check_character is true: say why "
                        "this code is legal (e.g. the registration document)",
                        "missing",
                    )
                ],
            )
        return check.code, UsccOverride(reason, principal.subject), []
    errors = [] if check.valid else [_uscc_error(check, principal)]
    if reason is not None:
        errors.append(
            _field(
                "body.override_reason",
                "is given only with accept_invalid_check_character: true",
                "value_error",
            )
        )
    return check.code, None, errors


def _uscc_error(
    check: UsccCheck, principal: Principal, *, never_overridable: bool = False
) -> FieldError:
    assert check.problem is not None
    message = check.problem.message
    if never_overridable:
        message += (
            "; a malformed code can never be accepted, only one whose check character "
            "alone is wrong"
        )
    elif check.problem.rule is UsccRule.CHECK_CHARACTER:
        message += (
            "; if this is a legal pilot-era code, the bureau may accept it with "
            "accept_invalid_check_character and override_reason"
            if principal.role is Role.CITY_ADMIN
            else "; if this is a legal pilot-era code, ask the bureau (市科技局) to register it"
        )
    return _field("body.uscc", message, f"uscc_{check.problem.rule.value}")


def _accept_not_needed() -> FieldError:
    return _field(
        "body.accept_invalid_check_character",
        "the code's check character is correct; accept only a code that fails it",
        "value_error",
    )


def _founded_on_errors(founded_on: date | None) -> list[FieldError]:
    if founded_on is not None and founded_on > today_in_china():
        return [
            _field(
                "body.founded_on",
                "must not be in the future (China time); give the date it was established",
                "value_error",
            )
        ]
    return []


def _field(field: str, message: str, kind: str) -> FieldError:
    return FieldError(field=field, message=message, type=kind)


def _raise_if_invalid(errors: list[FieldError]) -> None:
    if not errors:
        return
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
    noun = "field is" if len(errors) == 1 else "fields are"
    raise OperatorInvalid(f"{len(errors)} {noun} invalid; correct and resend: {listed}", errors)


async def _refuse_duplicate(session: AsyncSession, principal: Principal, code: str) -> None:
    existing = await repository.find_by_uscc(session, code)
    if existing is None:
        return
    if principal.sees_jurisdiction(existing.jurisdiction_code):
        raise DuplicateOperator(
            f"Code {code} is already registered to operator {existing.name!r} "
            f"(id {existing.id}); one operator per code: correct that one instead",
            existing_id=str(existing.id),
            existing_name=existing.name,
        )
    # Say that the code is taken (it is unique, so that much cannot be hidden) but nothing
    # about whose it is or where.
    raise DuplicateOperator(
        f"Code {code} is already registered under another jurisdiction; one operator per "
        "code. If your jurisdiction should manage it, the bureau (市科技局) can help"
    )


async def _refuse_move_away_from_spaces(
    session: AsyncSession, operator: Operator, jurisdiction_code: str
) -> None:
    # A space's operator is in the space's jurisdiction; moving the operator alone would
    # break that for every space it runs.
    spaces = await repository.count_spaces_outside(session, operator.id, jurisdiction_code)
    if spaces:
        raise OperatorMoveBlocked(
            f"The operator runs {spaces} space(s) in {operator.jurisdiction_code}; a space's "
            f"operator must be in the space's jurisdiction, so it cannot move to "
            f"{jurisdiction_code} while they stay",
            spaces=spaces,
        )


def _versions_in(if_match: str | None) -> set[int]:
    """The versions an If-Match header names; 428 when it names none usable."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "An update must send If-Match with the ETag of the version it changes "
            '(from GET /v1/operators/{id}, e.g. If-Match: "3"), so it never overwrites '
            "someone else's change unseen"
        )
    if if_match.strip() == "*":
        raise PreconditionRequired(
            "If-Match: * does not say which version you read; send the operator's ETag"
        )
    versions = set()
    for tag in if_match.split(","):
        # W/ is accepted too: proxies that compress a response weaken its ETag, and the
        # version number identifies the state exactly either way.
        tag = tag.strip().removeprefix("W/")
        if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdecimal():
            versions.add(int(tag[1:-1]))
    return versions


def _snapshot(operator: Operator) -> OperatorVersion:
    return OperatorVersion(
        operator_id=operator.id,
        version=operator.version,
        valid_from=operator.updated_at,
        recorded_by=operator.updated_by,
        uscc=operator.uscc,
        name=operator.name,
        kind=operator.kind,
        founded_on=operator.founded_on,
        registered_address=operator.registered_address,
        registered_in_lanzhou=operator.registered_in_lanzhou,
        jurisdiction_code=operator.jurisdiction_code,
        uscc_override=operator.uscc_override,
        override_reason=operator.override_reason,
        override_by=operator.override_by,
        independent_legal_person=operator.independent_legal_person,
        innovative_enterprise=operator.innovative_enterprise,
        stable_revenue_evidence=operator.stable_revenue_evidence,
    )
