"""算力服务商名录 the public directory of the compute providers admitted to the catalogue today
(入库服务商) and what they offer, where voucher holders may use their 算力券 (no login)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .models import ComputeProvider


def providers_admitted(*, q: str = ""):
    today = timezone.localdate()
    qs = ComputeProvider.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
    for word in (q or "").split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(services__icontains=word))
    return qs.order_by("name")


@require_GET
def provider_directory(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:50]
    return render(request, "guide/provider_directory.html", {"providers": providers_admitted(q=q), "q": q})
