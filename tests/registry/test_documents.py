"""Evidence documents: metadata and hash first, the file only if it is the declared one."""

from __future__ import annotations

import hashlib
import uuid

from tests.conftest import space_body

PDF = b"%PDF-1.4\n" + "租赁合同 兰州市城关区 2024-2029".encode() + b"\n%%EOF\n"


def _document(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "lease_contract",
        "title": "场地租赁合同",
        "issuer": "兰州某置业有限公司",
        "document_no": "ZL-2024-0117",
        "issued_on": "2024-01-05",
        "valid_from": "2024-01-15",
        "valid_to": "2029-01-14",
        "supports": ["premises.lease_start", "premises.lease_end", "premises.tenure"],
        "sha256": hashlib.sha256(PDF).hexdigest().upper(),
        "size_bytes": len(PDF),
        "media_type": "application/pdf",
        "filename": "场地租赁合同.pdf",
    }
    body.update(overrides)
    return body


async def _space(registry, auth, jurisdiction: str = "620102") -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_document_is_recorded_then_its_file_checked_and_kept(registry, auth) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", "620102")
    created = await registry.post(
        f"/v1/spaces/{space}/documents", json=_document(), headers=officer
    )
    assert created.status_code == 201, created.text
    document = created.json()
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()  # normalised to lower case
    assert document["content_stored"] is False
    url = f"/v1/spaces/{space}/documents/{document['id']}/content"

    missing = await registry.get(url, headers=officer)
    assert missing.status_code == 404

    forged = await registry.put(url, content=PDF.replace(b"2029", b"2039"), headers=officer)
    assert forged.status_code == 422, forged.text
    assert forged.json()["type"] == "urn:lzms:problem:document-content-mismatch"
    assert forged.json()["declared_sha256"] == document["sha256"]

    stored = await registry.put(url, content=PDF, headers=officer)
    assert stored.status_code == 200, stored.text
    assert stored.json()["content_stored"] is True
    again = await registry.put(url, content=PDF, headers=officer)
    assert again.status_code == 200

    downloaded = await registry.get(url, headers=auth("auditor"))
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["etag"] == f'"{document["sha256"]}"'
    assert "filename*=UTF-8''%E5%9C%BA" in downloaded.headers["content-disposition"]


async def test_bad_metadata_is_refused_naming_the_field(registry, auth) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", "620102")
    for overrides, field in (
        ({"sha256": "abc"}, "body.sha256"),
        ({"valid_from": "2029-01-15", "valid_to": "2024-01-14"}, "body"),
        ({"issued_on": "2999-01-01"}, "body.issued_on"),
        ({"supports": ["premises.lease_ending"]}, "body.supports"),
        ({"supports": ["space_id"]}, "body.supports"),
        ({"supports": []}, "body.supports"),
        ({"kind": "receipt"}, "body.kind"),
        ({"size_bytes": -1}, "body.size_bytes"),
        ({"media_type": "pdf"}, "body.media_type"),
    ):
        response = await registry.post(
            f"/v1/spaces/{space}/documents", json=_document(**overrides), headers=officer
        )
        assert response.status_code == 422, (overrides, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, (
            overrides,
            response.json(),
        )
    listing = await registry.get(f"/v1/spaces/{space}/documents", headers=officer)
    assert listing.json()["items"] == []


async def test_a_correction_supersedes_and_both_stay(registry, auth) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", "620102")
    first = (
        await registry.post(f"/v1/spaces/{space}/documents", json=_document(), headers=officer)
    ).json()
    second = await registry.post(
        f"/v1/spaces/{space}/documents",
        json=_document(title="场地租赁合同（补充协议）", supersedes_id=first["id"]),
        headers=officer,
    )
    assert second.status_code == 201, second.text
    twice = await registry.post(
        f"/v1/spaces/{space}/documents",
        json=_document(supersedes_id=first["id"]),
        headers=officer,
    )
    assert twice.status_code == 409
    assert twice.json()["superseded_by_id"] == second.json()["id"]
    items = (await registry.get(f"/v1/spaces/{space}/documents", headers=officer)).json()["items"]
    assert [(d["id"], d["superseded_by_id"]) for d in items] == [
        (first["id"], second.json()["id"]),
        (second.json()["id"], None),
    ]


async def test_another_district_sees_no_document(registry, auth) -> None:
    space = await _space(registry, auth)
    document = (
        await registry.post(
            f"/v1/spaces/{space}/documents",
            json=_document(),
            headers=auth("district_officer", "620102"),
        )
    ).json()
    stranger = auth("district_officer", "620103")
    base = f"/v1/spaces/{space}/documents"
    unknown = f"/v1/spaces/{uuid.uuid4()}/documents"
    for path in ("", f"/{document['id']}", f"/{document['id']}/content"):
        theirs = await registry.get(base + path, headers=stranger)
        nothing = await registry.get(unknown + path, headers=stranger)
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.json()["type"] == nothing.json()["type"]
    refused = await registry.put(f"{base}/{document['id']}/content", content=PDF, headers=stranger)
    assert refused.status_code == 404
    assert (await registry.post(base, json=_document(), headers=stranger)).status_code == 404
