"""Evidence documents: metadata and hash first, the file only if it is the declared one."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime

import pytest

from services.registry.documents.media import EVIDENCE_MEDIA_TYPES, is_of_type, served_type
from services.registry.documents.models import Document, DocumentContent, DocumentKind
from shared.db import Database
from tests.conftest import space_body

PDF = b"%PDF-1.4\n" + "租赁合同 兰州市城关区 2024-2029".encode() + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
ZIP = b"PK\x03\x04" + bytes(26) + b"word/document.xml"


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
        ({"filename": "合同\r\nX-Injected: 1.pdf"}, "body.filename"),
        ({"filename": "../../etc/passwd"}, "body.filename"),
        ({"filename": "a\\b.pdf"}, "body.filename"),
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


async def _recorded(registry, auth, content: bytes, **overrides: object) -> tuple[str, dict]:
    space = await _space(registry, auth)
    body = _document(
        sha256=hashlib.sha256(content).hexdigest(), size_bytes=len(content), **overrides
    )
    created = await registry.post(
        f"/v1/spaces/{space}/documents", json=body, headers=auth("district_officer", "620102")
    )
    assert created.status_code == 201, created.text
    return space, created.json()


async def test_a_declared_type_that_is_no_evidence_is_refused_naming_the_allowed(
    registry, auth
) -> None:
    space = await _space(registry, auth)
    officer = auth("district_officer", "620102")
    for media_type in ("text/html", "image/svg+xml", "application/javascript", "text/plain"):
        refused = await registry.post(
            f"/v1/spaces/{space}/documents",
            json=_document(media_type=media_type, filename="x.html"),
            headers=officer,
        )
        assert refused.status_code == 422, (media_type, refused.text)
        problem = refused.json()
        assert problem["type"] == "urn:lzms:problem:document-media-type-not-allowed"
        assert problem["errors"][0]["field"] == "body.media_type"
        assert "application/pdf" in problem["allowed_media_types"]
        assert "application/pdf" in problem["detail"]
    listing = await registry.get(f"/v1/spaces/{space}/documents", headers=officer)
    assert listing.json()["items"] == []


HTML = b"<!doctype html><script>fetch('/v1/spaces').then(r => r.text())</script>"


@pytest.mark.parametrize(
    ("content", "declared", "found"),
    [
        (HTML, "application/pdf", None),
        (PNG, "application/pdf", "image/png"),
        (PDF, "image/jpeg", "application/pdf"),
        (ZIP, "application/msword", "application/zip"),
    ],
    ids=["html-as-pdf", "png-as-pdf", "pdf-as-jpeg", "zip-as-doc"],
)
async def test_a_file_whose_bytes_are_not_its_declared_type_is_refused(
    registry, auth, content: bytes, declared: str, found: str | None
) -> None:
    space, document = await _recorded(registry, auth, content, media_type=declared)
    url = f"/v1/spaces/{space}/documents/{document['id']}/content"
    officer = auth("district_officer", "620102")
    refused = await registry.put(url, content=content, headers=officer)
    assert refused.status_code == 415, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:lzms:problem:document-content-not-declared-type"
    assert (problem["declared_media_type"], problem["detected_media_type"]) == (declared, found)
    assert "application/pdf" in problem["allowed_media_types"]
    assert (await registry.get(url, headers=officer)).status_code == 404  # nothing stored
    read = await registry.get(f"/v1/spaces/{space}/documents/{document['id']}", headers=officer)
    assert read.json()["content_stored"] is False


async def test_a_file_is_served_as_an_attachment_the_browser_may_not_sniff(registry, auth) -> None:
    space, document = await _recorded(
        registry, auth, PNG, media_type="image/png", filename='现场"照片";.png'
    )
    url = f"/v1/spaces/{space}/documents/{document['id']}/content"
    officer = auth("district_officer", "620102")
    assert (await registry.put(url, content=PNG, headers=officer)).status_code == 200
    served = await registry.get(url, headers=officer)
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    disposition = served.headers["content-disposition"]
    # The ASCII name has nothing that could end the quoted string early; the real name is
    # percent-encoded whole.
    assert disposition == (
        f'attachment; filename="document-{document["id"]}.png"; '
        "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%22%E7%85%A7%E7%89%87%22%3B.png"
    )


async def test_a_file_stored_before_types_were_checked_is_served_as_octet_stream(
    registry_app, registry, auth
) -> None:
    """A document recorded as text/html (or whose bytes are not its type) stays on record and
    downloadable, only never as something a browser would render."""
    space = await _space(registry, auth)
    database: Database = registry_app.state.database
    ids = []
    async with database.sessionmaker() as session:
        for declared, content in (("text/html", HTML), ("application/pdf", HTML)):
            document_id = uuid.uuid4()
            ids.append(document_id)
            session.add(
                Document(
                    id=document_id,
                    space_id=uuid.UUID(space),
                    kind=DocumentKind.OTHER,
                    title="旧材料",
                    issuer="某单位",
                    issued_on=date(2024, 1, 5),
                    supports='["premises"]',
                    sha256=hashlib.sha256(content).hexdigest(),
                    size_bytes=len(content),
                    media_type=declared,
                    filename="旧材料.html",
                    recorded_at=datetime.now(UTC),
                    recorded_by="someone",
                )
            )
        session.add(
            DocumentContent(
                sha256=hashlib.sha256(HTML).hexdigest(),
                content=HTML,
                size_bytes=len(HTML),
                stored_at=datetime.now(UTC),
                stored_by="someone",
            )
        )
        await session.commit()
    for document_id in ids:
        served = await registry.get(
            f"/v1/spaces/{space}/documents/{document_id}/content", headers=auth("auditor")
        )
        assert served.status_code == 200, served.text
        assert served.content == HTML
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-disposition"].startswith("attachment; ")


async def test_the_contract_says_what_a_download_is_served_as(registry) -> None:
    paths = (await registry.get("/openapi.json")).json()["paths"]
    download = paths["/v1/spaces/{space_id}/documents/{document_id}/content"]["get"]
    served = download["responses"]["200"]
    assert set(served["content"]) == {*EVIDENCE_MEDIA_TYPES, "application/octet-stream"}
    assert {"Content-Disposition", "X-Content-Type-Options"} <= set(served["headers"])
    upload = paths["/v1/spaces/{space_id}/documents/{document_id}/content"]["put"]
    assert "415" in upload["responses"]


# A file of each container, as its first bytes begin.
SAMPLES = {
    "application/pdf": PDF,
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "image/gif": b"GIF89a\x01\x00\x01\x00",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "image/tiff": b"II*\x00\x08\x00\x00\x00",
    "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8),
    "zip": ZIP,
    "application/x-7z-compressed": b"7z\xbc\xaf\x27\x1c\x00\x04",
    "rar": b"Rar!\x1a\x07\x01\x00",
    "html": HTML,
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "empty": b"",
}
CONTAINER = {
    "application/msword": "ole",
    "application/vnd.ms-excel": "ole",
    "application/vnd.ms-powerpoint": "ole",
    "application/vnd.rar": "rar",
    "application/x-rar-compressed": "rar",
}


@pytest.mark.parametrize("media_type", EVIDENCE_MEDIA_TYPES)
def test_each_evidence_type_takes_its_own_bytes_and_no_other(media_type: str) -> None:
    own = CONTAINER.get(media_type) or (
        media_type if media_type in SAMPLES else "zip"  # docx, xlsx, odt, ofd, zip ...
    )
    assert is_of_type(SAMPLES[own], media_type)
    assert is_of_type(SAMPLES[own], media_type.upper())  # a media type is case-insensitive
    assert served_type(media_type, SAMPLES[own]) == media_type
    for other, sample in SAMPLES.items():
        if other != own:
            assert not is_of_type(sample, media_type), other
            assert served_type(media_type, sample) == "application/octet-stream", other
