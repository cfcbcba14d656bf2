"""Public reads for the service pages (issue 17): keyword search in the public notices."""

from __future__ import annotations

from django.db.models import Q

from reviews.models import PublicNotice


def notices_search(*, q: str, limit: int = 50) -> list[PublicNotice]:
    """公示公告 whose title, programme or policy mentions every word of `q`."""
    words = [w for w in (q or "").split() if w][:5]
    if not words:
        return []
    qs = PublicNotice.objects.select_related("programme__policy")
    for word in words:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(programme__name_zh__icontains=word)
            | Q(programme__policy__title__icontains=word)
        )
    return list(qs.order_by("-published_at", "-id")[:limit])
