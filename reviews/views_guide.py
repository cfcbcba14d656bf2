"""Public service pages (issue 17): keyword search across the catalogue and the public notices, and
each programme's 办事指南 with its material templates."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from vouchers.selectors import programme_get
from vouchers.site_selectors import SEARCH_MAX, catalogue_search

from . import guide
from .selectors_guide import notices_search

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_GET
def guide_search(request: HttpRequest) -> HttpResponse:
    """关键词检索 (no login): programmes, policies and public notices mentioning the keywords."""
    q = (request.GET.get("q") or "").strip()[:SEARCH_MAX]
    found = catalogue_search(q=q)
    notices = notices_search(q=q)
    return render(
        request,
        "guide/search.html",
        {
            "q": q,
            "programmes": found["programmes"],
            "policies": found["policies"],
            "notices": notices,
            "total": len(found["programmes"]) + len(found["policies"]) + len(notices),
        },
    )


@require_GET
def programme_guide(request: HttpRequest, code: str) -> HttpResponse:
    """办事指南 of one programme (no login)."""
    return render(request, "guide/programme_guide.html", {"guide": guide.programme_guide(programme_get(code=code))})


@require_GET
def material_template(request: HttpRequest, code: str, material: str) -> HttpResponse:
    """A material's template (范本) as a Word document, e.g. the 信用承诺书 (no login)."""
    programme = programme_get(code=code)
    if material not in guide.TEMPLATES or material not in {m.get("code") for m in programme.materials or []}:
        raise Http404
    response = HttpResponse(guide.credit_commitment_docx(programme), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"信用承诺书-{programme.name_zh}.docx")
    return response
