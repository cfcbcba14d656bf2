"""文书状态 the state of one letter as JSON, for the pages that show 生成中 until the PDF is made in
the background (static/guide/letter-status.js polls it); scoped to the actor like the download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviews.models import Letter

from .selectors import letter_get_for_actor


@never_cache
@require_GET
@login_required
def letter_status(request: HttpRequest, pk: int) -> JsonResponse:
    letter = letter_get_for_actor(actor=request.user, pk=pk)
    ready = letter.status == Letter.Status.READY and bool(letter.sha256)
    return JsonResponse(
        {
            "id": letter.pk,
            "number": letter.number,
            "status": letter.status,
            "label": letter.get_status_display(),
            "ready": ready,
            "done": letter.status != Letter.Status.PENDING,
            "download_url": reverse("reviews:letter_download", args=[letter.pk]) if ready else "",
        }
    )
