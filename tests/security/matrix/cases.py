"""What a case of the permission matrix is, how one is written, and the expectations most entries
share (the notation is in tests/security/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cast import PDF, Cast

Fn = Callable[[Cast], Any]


@dataclass
class Case:
    kwargs: Fn | None = None
    expect: dict[str, str] = field(default_factory=dict)  # method → expectation string
    data: dict[str, Fn] = field(default_factory=dict)  # method → request body
    label: str = ""
    multipart: bool = False  # API bodies are JSON unless this says multipart (uploads)
    query: str = ""


def case(
    kwargs: Fn | None = None,
    *,
    label: str = "",
    data: Fn | dict[str, Fn] | None = None,
    multipart: bool = False,
    query: str = "",
    **expect: str,
) -> Case:
    """case(kw, GET="…", POST="…", data=lambda c: {...}) — `data` is the POST/PUT/PATCH body (one
    builder for every writing method, or a {method: builder} dict)."""
    bodies = {m: data for m in ("POST", "PUT", "PATCH", "DELETE")} if callable(data) else dict(data or {})
    return Case(kwargs=kwargs, expect=expect, data=bodies, label=label, multipart=multipart, query=query)


def pk(name: str) -> Fn:
    return lambda c: {"pk": getattr(c, name).pk}


def app_file(app: str, attachment: str | None = None) -> Fn:
    def kw(c: Cast) -> dict:
        application = getattr(c, app)
        att = getattr(c, attachment) if attachment else application.attachments.order_by("pk").first()
        return {"pk": application.pk, "attachment_pk": att.pk}

    return kw


def code(c: Cast) -> dict:
    return {"code": c.standard.code}


def pdf_upload(name: str = "business_license.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


PAGE_POST_405 = "anon:login USERS:405"
PUBLIC = "*:ok"
SIGNED_IN = "anon:login *:ok"
API_SIGNED_IN = "anon:403 *:ok"
STAFF_PAGE = "anon:login STAFF:ok *:403"
ADMIN_PAGE = "anon:login admin:ok *:403"
API_STAFF = "anon:403 STAFF:ok *:403"
API_ADMIN = "anon:403 admin:ok *:403"
# 所属区域 (issue 12): everything of the cast's A is Huangpu's. The Tianhe bureau (TH: reviewer_th,
# admin_th) sees its own district's lists, in which nothing of A appears (the leak check), and gets
# 404 for a Huangpu object, as another enterprise does for A's; a Huangpu object of a page open to
# Tianhe staff by role is "not found", not "forbidden".
STAFF_LIST = "anon:login STAFF,TH:ok *:403"
STAFF_OBJ = "anon:login STAFF:ok TH:404 *:403"
ADMIN_LIST = "anon:login admin,admin_th:ok *:403"
ADMIN_OBJ = "anon:login admin:ok admin_th:404 *:403"
API_STAFF_LIST = "anon:403 STAFF,TH:ok *:403"
API_STAFF_OBJ = "anon:403 STAFF:ok TH:404 *:403"
API_ADMIN_LIST = "anon:403 admin,admin_th:ok *:403"
API_ADMIN_OBJ = "anon:403 admin:ok admin_th:404 *:403"
# The bureau administrator is staff but holds no model permission: the Django admin is for system
# administrators (superusers); everyone else is sent to its login page.
ADMIN_APP = "admin,admin_th:403 *:login"
