"""Push (推送): when a window of a programme is open, each enterprise the matching found likely eligible
is told once for that window, in the inbox and by e-mail, unless it opted out."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import Notification
from portal.notifications import notify_enterprise
from vouchers.models import ApplicationWindow

from .models import MatchNotice, MatchPreference, MatchSet, MatchStatus


def match_notices_send() -> int:
    """Notify every likely-eligible enterprise of each open window not yet told; the number told."""
    now = timezone.now()
    windows = list(ApplicationWindow.objects.select_related("programme").filter(opens_at__lte=now, closes_at__gt=now))
    if not windows:
        return 0
    by_code = {}
    for window in windows:
        by_code.setdefault(window.programme.code, []).append(window)
    told = set(MatchNotice.objects.filter(window__in=windows).values_list("enterprise_id", "window_id"))
    opted_out = set(MatchPreference.objects.filter(notify=False).values_list("enterprise_id", flat=True))
    sent = 0
    for enterprise_id, results in MatchSet.objects.values_list("enterprise_id", "results").iterator(chunk_size=2000):
        if enterprise_id in opted_out:
            continue
        for row in results:
            if row["status"] != MatchStatus.LIKELY:
                continue
            for window in by_code.get(row["programme"], ()):
                if (enterprise_id, window.pk) in told:
                    continue
                sent += _notify(enterprise_id, window, row)
    return sent


def _notify(enterprise_id: int, window: ApplicationWindow, row: dict) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("政策匹配提醒：%(p)s正在受理") % {"p": window.programme.name_zh}
        body = _(
            "根据贵企业的档案信息，贵企业可能符合“%(p)s”的条件，测算金额约 %(a)s 元。受理截止时间：%(t)s。"
            "可在“政策匹配”页查看详情，或在该页关闭此类提醒。"
        ) % {
            "p": window.programme.name_zh,
            "a": row.get("amount") or "—",
            "t": timezone.localtime(window.closes_at).strftime("%Y-%m-%d %H:%M"),
        }
    try:
        with transaction.atomic():
            MatchNotice.objects.create(enterprise_id=enterprise_id, window=window)
            notify_enterprise(
                enterprise_id=enterprise_id,
                kind=Notification.Kind.REMINDER,
                subject=subject,
                body=body,
                link=reverse("proactive:matches"),
                dedupe_key=f"match:{window.pk}",
            )
    except IntegrityError:  # told meanwhile by another run
        return 0
    return 1
