"""A record that names the document supporting it (证明材料: an exit, a departure, a removal
from a list): the document must be a registry document of the same space.

Another space's document, another district's and a missing one are refused alike, as a field
error of the request (the caller's own space was found; what it names is not there).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.documents.models import Document
from shared.errors import FieldError


async def document_errors(
    session: AsyncSession,
    space_id: uuid.UUID,
    document_id: uuid.UUID | None,
    field: str = "body.document_id",
) -> list[FieldError]:
    """What is wrong with naming ``document_id`` for a record of the space: nothing (an empty
    list) if it is None or one of the space's documents."""
    if document_id is None:
        return []
    document = await session.get(Document, document_id)
    if document is not None and document.space_id == space_id:
        return []
    message = (
        f"no document {document_id} of this space; record the document first "
        f"(POST /v1/spaces/{space_id}/documents) and name its id"
    )
    return [FieldError(field=field, message=message, type="value_error")]
