"""What the redemption modules share: the voucher code and invoice number formats, the invoice
file check (by content), and who the actor is (a provider's member, an enterprise's member)."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.models import Role

from ...models import ComputeProvider

DEFAULT_VALIDITY_MONTHS = 12
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_RE = re.compile(r"^SLQ(\d{4})([2-9A-HJ-NP-Z]{8})$")
INVOICE_RE = re.compile(r"^[0-9A-Z]{6,30}$")
# Invoice files: decided from the content (magic bytes), never from the name.
INVOICE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
ISSUERS = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def voucher_code_normalize(raw: str) -> str:
    """'slq-2026-7k3m-9qx2' → 'SLQ-2026-7K3M-9QX2' (the stored form); '' when it cannot be a code."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    m = CODE_RE.match(text)
    if not m:
        return ""
    year, body = m.groups()
    return f"SLQ-{year}-{body[:4]}-{body[4:]}"


def invoice_number_normalize(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _active(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def _provider_of(actor) -> ComputeProvider:
    membership = getattr(actor, "provider_membership", None) if _active(actor) else None
    if membership is None or actor.role != Role.PROVIDER:
        raise PermissionDenied(_("只有已登记的算力服务商用户可以核销算力券。"))
    return membership.provider


def _enterprise_member(actor, enterprise_id: int) -> bool:
    membership = getattr(actor, "membership", None) if _active(actor) else None
    return actor.role == Role.ENTERPRISE and membership is not None and membership.enterprise_id == enterprise_id


def _check_invoice_file(upload) -> dict[str, Any]:
    if upload is None:
        raise ValidationError({"invoice_file": _("请上传发票文件（PDF、JPG 或 PNG）。")})
    limit = settings.PORTAL_UPLOAD_MAX_FILE_BYTES
    if not upload.size:
        raise ValidationError({"invoice_file": _("文件为空，请重新选择。")})
    if upload.size > limit:
        raise ValidationError(
            {
                "invoice_file": _("文件大小 %(size)s 超过上限 %(limit)s。")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    extension = {"apng": "png"}.get(kind.extension, kind.extension) if kind else ""
    if extension not in INVOICE_TYPES:
        raise ValidationError(
            {"invoice_file": _("发票文件内容不是 PDF、JPG 或 PNG 格式（按文件内容识别，与文件名无关）。")}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stem = re.sub(r"[^\w.-]+", "_", (upload.name or "invoice").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:60] or "invoice"
    return {
        "extension": extension,
        "content_type": INVOICE_TYPES[extension],
        "size": upload.size,
        "sha256": digest.hexdigest(),
        "name": f"{stem}.{extension}",
    }
