"""The kinds of file taken as evidence (证明材料), each recognised by its first bytes.

A document declares its media type; the file is stored only if its first bytes are those of
that type (its "magic number"), so a page of HTML declared as ``application/pdf`` is refused,
and a download never carries something a browser would run. Evidence is what a district
scans, photographs or receives: PDF and OFD (GB/T 33190, the format of China's electronic
official documents), images, office documents and archives of them.

The signatures are a small table of our own rather than libmagic (python-magic): libmagic is
a C library the deploy image would have to carry, it knows thousands of types where we take
twenty, and its answer for a container (a .docx is a zip) is no more exact than ours. A zip
container (docx, xlsx, pptx, odt, ods, odp, ofd, zip) is recognised as a zip, and an OLE
compound file (doc, xls, ppt) as one; which of them it is, is what the declaration says.
"""

from __future__ import annotations

from collections.abc import Callable

# What a file's first bytes are, by container: a test on the bytes and the name we give it.
_Family = tuple[str, Callable[[bytes], bool]]

_PDF: _Family = ("application/pdf", lambda b: b.startswith(b"%PDF-"))
_PNG: _Family = ("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"))
_JPEG: _Family = ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff"))
_GIF: _Family = ("image/gif", lambda b: b.startswith((b"GIF87a", b"GIF89a")))
_WEBP: _Family = ("image/webp", lambda b: b.startswith(b"RIFF") and b[8:12] == b"WEBP")
_TIFF: _Family = ("image/tiff", lambda b: b.startswith((b"II*\x00", b"MM\x00*")))
_OLE: _Family = (
    "application/x-ole-storage",  # the compound file of Office 97-2003
    lambda b: b.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
)
_ZIP: _Family = (
    "application/zip",
    lambda b: b.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")),
)
_7Z: _Family = ("application/x-7z-compressed", lambda b: b.startswith(b"7z\xbc\xaf\x27\x1c"))
_RAR: _Family = (
    "application/vnd.rar",
    lambda b: b.startswith((b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")),
)
_FAMILIES = (_PDF, _PNG, _JPEG, _GIF, _WEBP, _TIFF, _OLE, _ZIP, _7Z, _RAR)

# Each media type a document may declare, and the container its file must be.
EVIDENCE_TYPES: dict[str, _Family] = {
    "application/pdf": _PDF,
    "application/ofd": _ZIP,
    "image/png": _PNG,
    "image/jpeg": _JPEG,
    "image/gif": _GIF,
    "image/webp": _WEBP,
    "image/tiff": _TIFF,
    "application/msword": _OLE,
    "application/vnd.ms-excel": _OLE,
    "application/vnd.ms-powerpoint": _OLE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _ZIP,
    "application/vnd.oasis.opendocument.text": _ZIP,
    "application/vnd.oasis.opendocument.spreadsheet": _ZIP,
    "application/vnd.oasis.opendocument.presentation": _ZIP,
    "application/zip": _ZIP,
    "application/x-zip-compressed": _ZIP,  # what Windows browsers declare for a .zip
    "application/x-7z-compressed": _7Z,
    "application/vnd.rar": _RAR,
    "application/x-rar-compressed": _RAR,
}
EVIDENCE_MEDIA_TYPES = tuple(EVIDENCE_TYPES)
# What a file is served as when its declared type is not one of these, or its bytes are not.
UNCHECKED_MEDIA_TYPE = "application/octet-stream"


def is_evidence_type(media_type: str) -> bool:
    return media_type.lower() in EVIDENCE_TYPES


def detected_type(content: bytes) -> str | None:
    """What the first bytes say the file is (a container's name for a zip or OLE file), or
    None if they are those of no evidence type."""
    return next((name for name, test in _FAMILIES if test(content)), None)


def is_of_type(content: bytes, media_type: str) -> bool:
    """Whether ``content`` begins as a file of ``media_type`` (an evidence type) does."""
    family = EVIDENCE_TYPES.get(media_type.lower())
    return family is not None and family[1](content)


def served_type(media_type: str, content: bytes) -> str:
    """The Content-Type a stored file is sent with: its declared type if that is an evidence
    type and the bytes are of it (always so for a file stored since the check), otherwise
    ``application/octet-stream``."""
    return media_type.lower() if is_of_type(content, media_type) else UNCHECKED_MEDIA_TYPE
