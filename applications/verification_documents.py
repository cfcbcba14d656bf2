"""The files of a claim or of a fact-change request: checked by content (applications.uploads), stored
privately under random names, removed again when the transaction that stored them fails."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from .models import VerificationDocument
from .uploads import CheckedFile, check_upload


@dataclass(frozen=True)
class Upload:
    kind: str  # VerificationDocument.Kind
    file: UploadedFile
    checked: CheckedFile


def uploads_check(wanted: Iterable[tuple[str, str, UploadedFile | None, str]], errors: dict[str, str]) -> list[Upload]:
    """(form field, document kind, file, message when missing — "" when optional) → the checked files;
    a missing or refused file puts its message under the field in `errors`."""
    out: list[Upload] = []
    for field, kind, upload, missing in wanted:
        if not upload:
            if missing:
                errors[field] = missing
            continue
        try:
            out.append(Upload(kind=kind, file=upload, checked=check_upload(upload)))
        except ValidationError as error:
            errors[field] = "；".join(error.messages)
    return out


@contextmanager
def stored_files() -> Iterator[list[str]]:
    """The names of files stored inside the block, deleted again when the block fails (nothing half-written)."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def documents_store(
    uploads: Iterable[Upload], *, actor, stored: list[str], claim=None, fact_change=None
) -> list[VerificationDocument]:
    """Store checked files under our own random names (inside the caller's transaction)."""
    docs = []
    for u in uploads:
        doc = VerificationDocument(
            claim=claim,
            fact_change=fact_change,
            kind=u.kind,
            original_name=u.checked.safe_name,
            content_type=u.checked.content_type,
            size=u.checked.size,
            sha256=u.checked.sha256,
            uploaded_by=actor,
        )
        doc.file.save(f"{uuid.uuid4().hex}.{u.checked.extension}", u.file, save=False)
        stored.append(doc.file.name or "")
        doc.save()
        docs.append(doc)
    return docs
