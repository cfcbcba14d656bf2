"""资料库 the enterprise's document library (快申快享): keep a file once, copy it into applications.

Reuse makes a copy: the application gets an ordinary attachment of its own (its own stored file, the
same SHA-256), filed through applications' attachment service with every check an upload has. So what
an application was submitted with never changes when the library's file is replaced, removed or
expires, the reviewers see and download it like any other attachment, and no table of applications
points into the library. The cost is the bytes stored twice, bounded by the upload limits."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Attachment
from applications.selectors import allowed_materials, application_get_for_actor, current_attachments, enterprise_of
from applications.services import attachment_add
from applications.uploads import check_upload
from portal.audit import audit_record
from portal.permissions import may_keep_document_library, require

from .library_rules import BY_YEAR, is_valid_on, validity_for
from .models_library import LibraryDocument, LibraryMaterial


def _refuse_outsider(actor, enterprise_id: int | None) -> None:
    own = enterprise_of(actor)
    require(
        may_keep_document_library(actor, member_of=own is not None and own.pk == (enterprise_id or own.pk)),
        _("只有本企业的成员可以使用企业资料库。"),
    )


def library_document_add(
    *,
    actor,
    material: str,
    upload: UploadedFile,
    year: int | None = None,
    valid_until: dt.date | None = None,
    ip: str | None = None,
) -> LibraryDocument:
    """Keep a file in the actor's enterprise's library (content-checked as every upload is); it replaces
    the current one of its kind (and year). Any refusal leaves the library and the disk as they were."""
    _refuse_outsider(actor, None)
    enterprise = enterprise_of(actor)
    assert enterprise is not None  # _refuse_outsider let only a member through
    kept = validity_for(material, year=year, valid_until=valid_until, today=timezone.localdate())
    try:
        checked = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    stored_name = ""
    try:
        with transaction.atomic():
            current = LibraryDocument.objects.select_for_update().filter(
                enterprise=enterprise, material=material, replaced_at__isnull=True, removed_at__isnull=True
            )
            if material in BY_YEAR:
                current = current.filter(year=kept.year)
            replaced = list(current)
            document = LibraryDocument(
                enterprise=enterprise,
                material=material,
                year=kept.year,
                valid_until=kept.valid_until,
                original_name=checked.safe_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            document.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
            stored_name = document.file.name or ""
            document.save()
            now = timezone.now()
            LibraryDocument.objects.filter(pk__in=[d.pk for d in replaced]).update(replaced_at=now)
            audit_record(
                actor=actor,
                action="proactive.library_add",
                target=enterprise,
                ip=ip,
                after={
                    "document": document.pk,
                    "material": material,
                    "year": kept.year,
                    "valid_until": kept.valid_until.isoformat() if kept.valid_until else None,
                    "name": checked.safe_name,
                    "sha256": checked.sha256,
                    "replaces": [d.pk for d in replaced],
                },
            )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return document


def library_document_remove(*, actor, document: LibraryDocument, ip: str | None = None) -> None:
    """Take a file out of the library. Applications keep their copies; the library's stored file is
    deleted once the removal commits, its row kept for the record."""
    _refuse_outsider(actor, document.enterprise_id)
    with transaction.atomic():
        doc = LibraryDocument.objects.select_for_update().get(pk=document.pk)
        if doc.removed_at is not None:
            raise ValidationError({"document": _("该文件已删除。")})
        doc.removed_at = timezone.now()
        doc.save(update_fields=["removed_at"])
        audit_record(
            actor=actor,
            action="proactive.library_remove",
            target=doc.enterprise,
            ip=ip,
            before={"document": doc.pk, "material": doc.material, "name": doc.original_name},
        )
        name = doc.file.name or ""
        transaction.on_commit(lambda: default_storage.delete(name) if name else None)


def library_document_reuse(
    *, actor, application: Application | int, document: LibraryDocument, ip: str | None = None
) -> Attachment:
    """Copy a valid library file into the application's material of the same kind (an attachment of
    the application's own). Refused for another enterprise's application or file, a file replaced,
    removed or past its end, a kind the application's checklist does not name, or the same file twice."""
    _refuse_outsider(actor, document.enterprise_id)
    pk = application.pk if isinstance(application, Application) else int(application)
    app = application_get_for_actor(actor=actor, pk=pk)
    if app.enterprise_id != document.enterprise_id:
        raise PermissionDenied(_("只能使用本企业资料库中的文件。"))
    doc = LibraryDocument.objects.get(pk=document.pk)
    if doc.removed_at is not None or doc.replaced_at is not None:
        raise ValidationError({"document": _("该文件已被替换或删除，请选择资料库中的现行文件。")})
    if not is_valid_on(doc.valid_until, timezone.localdate()):
        raise ValidationError(
            {"document": _("该文件已于 %(d)s 过期，请先在资料库上传新的文件。") % {"d": doc.valid_until}}
        )
    label = LibraryMaterial(doc.material).label
    if doc.material not in allowed_materials(app):
        raise ValidationError({"document": _("本申报的材料清单中没有“%(m)s”。") % {"m": label}})
    if current_attachments(app).filter(material=doc.material, sha256=doc.sha256).exists():
        raise ValidationError({"document": _("该文件已在本申报的“%(m)s”中。") % {"m": label}})
    with doc.file.open("rb") as stored:
        upload = UploadedFile(file=stored, name=doc.original_name, content_type=doc.content_type, size=doc.size)
        with transaction.atomic():
            attachment = attachment_add(actor=actor, application=app, material=doc.material, upload=upload, ip=ip)
            audit_record(
                actor=actor,
                action="proactive.library_reuse",
                target=app,
                ip=ip,
                after={"document": doc.pk, "attachment": attachment.pk, "material": doc.material, "sha256": doc.sha256},
            )
    return attachment
