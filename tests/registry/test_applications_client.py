"""The registry's eligibility client against the real eligibility app, in process."""

from __future__ import annotations

import httpx
import pytest

from services.registry.clients.eligibility import EligibilityClient
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.contracts.facts import SpaceFacts
from shared.errors import UpstreamUnavailable


async def test_evaluate_keeps_a_receipt_and_reads_its_verdicts(make_app) -> None:
    eligibility_app = await make_app("eligibility")
    token = issue_token(
        eligibility_app.state.settings, role=Role.SERVICE, subject="service:registry"
    )
    client = EligibilityClient(
        "eligibility", "http://eligibility", lambda: token,
        transport=httpx.ASGITransport(app=eligibility_app),
    )  # fmt: skip
    facts = SpaceFacts.model_validate({"as_of": "2026-03-16", "form": "comprehensive"})
    try:
        receipt = await client.evaluate(facts)
    finally:
        await client.aclose()
    assert receipt.decision.application_date.isoformat() == "2026-03-16"
    assert receipt.decision.ruleset.id == "lz-measures-2018"
    assert len(receipt.decision.ruleset.content_hash) >= 32
    assert set(receipt.verdicts) >= {f"C{n}" for n in range(1, 10)}
    # Nothing known of the premises: C2 cannot be met.
    assert receipt.verdicts["C2"] in {"missing_facts", "not_met"}


@pytest.mark.backends("sqlite")
async def test_an_unreachable_eligibility_service_is_upstream_unavailable() -> None:
    client = EligibilityClient(
        "eligibility", "http://127.0.0.1:9", lambda: "token", retries=0, timeout_seconds=1
    )
    facts = SpaceFacts.model_validate({"as_of": "2026-03-16", "form": "comprehensive"})
    with pytest.raises(UpstreamUnavailable):
        await client.evaluate(facts)
    await client.aclose()
