"""免申即享 the bureau prepares a batch from facts: for a programme the catalogue flags (`auto_award`, with
the note why), a window and a facts cut-off, every enterprise of the district whose facts make it likely
eligible becomes a candidate with the computed amount; the budget effect is both remedies of
vouchers.oversubscription against the pool (as for an ordinary batch), and a seeded random sample is
marked to be checked by hand. Facts changed after the cut-off are not used (the enterprise is left out,
and counted). Nothing of the budget is reserved here.

Publishing a prepared batch files one application per candidate (applications.services.application_file_auto:
route 免申, inputs from the facts with their sources, submitted by the system) and proposes the money
decision of each through the four-eyes chain as a batch (reviews.services.approvals.batch_propose, ranked
or pro rata). After the last step of each chain the award is reserved; the bureau then lists the
approved ones for 公示 (reviews.services.notices.notice_publish), which starts each enterprise's
confirmation period (proactive.services_confirm)."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.services import application_file_auto
from applications.workflow import State
from portal.audit import audit_record
from portal.models import User
from portal.notifications import notify_enterprise
from portal.outbox import outbox_enqueue
from portal.permissions import may_import_enterprise_facts, may_run_auto_awards, require, require_district
from portal.workdays import add_workdays
from reviews.models import PublicNotice
from reviews.services.approvals import batch_propose
from reviews.services.assignments import BulkResult
from reviews.services.notices import notice_publish
from vouchers import calculator
from vouchers.models import ApplicationWindow
from vouchers.services.budget import batch_oversubscription

from . import facts as F
from .matching import enterprises_for_matching, inputs_from_facts, programme_for_matching
from .models import AutoAwardBatch, AutoAwardCandidate, EnterpriseFact

# Publishing files an application and proposes a decision per candidate (≈0.1 s of CPU each,
# bench/bench_auto_award.py): a bigger batch than this is published by a Celery task, the page showing
# its progress.
PUBLISH_IN_REQUEST_MAX = 100
NOTICE_IN_REQUEST_MAX = 200  # listing and telling each enterprise: ≈0.02 s of CPU each
PROGRESS_EVERY = 50
PROGRESS_TIMEOUT = 6 * 3600
SAMPLE_SHARE = Decimal("0.05")
SAMPLE_MIN = 5
CONFIRM_WORKDAYS_MAX = 60


def _facts_at(cutoff: dt.datetime) -> tuple[dict[int, dict[str, dict[str, EnterpriseFact]]], set[int]]:
    """Facts as of the cut-off by enterprise, and the enterprises with a fact changed after it."""
    out: dict[int, dict[str, dict[str, EnterpriseFact]]] = {}
    later: set[int] = set()
    for fact in EnterpriseFact.objects.order_by().iterator(chunk_size=5000):
        if fact.updated_at > cutoff:
            later.add(fact.enterprise_id)
            continue
        out.setdefault(fact.enterprise_id, {}).setdefault(fact.kind, {})[fact.period] = fact
    return out, later


def auto_batch_prepare(
    *,
    actor,
    window: ApplicationWindow,
    facts_cutoff: dt.datetime,
    confirm_workdays: int = 10,
    seed: int | None = None,
    ip: str | None = None,
) -> AutoAwardBatch:
    programme = window.programme
    require(may_import_enterprise_facts(actor), _("只有主管部门管理员可以生成免申即享名单。"))
    require_district(actor, programme.policy.district)
    if not (programme.spec or {}).get("auto_award"):
        raise ValidationError({"window": _("该项目未列为免申即享项目。")})
    if facts_cutoff > timezone.now():
        raise ValidationError({"facts_cutoff": _("数据截止时间不能晚于现在。")})
    if not 1 <= int(confirm_workdays) <= CONFIRM_WORKDAYS_MAX:
        raise ValidationError(
            {"confirm_workdays": _("确认期限须为 1 至 %(n)d 个工作日。") % {"n": CONFIRM_WORKDAYS_MAX}}
        )
    prepared = programme_for_matching(programme, timezone.localdate())
    facts, later = _facts_at(facts_cutoff)
    rows: list[tuple[int, Decimal, dict[str, Any], dict[str, Any]]] = []
    for enterprise in enterprises_for_matching():
        if enterprise.pk in later or len(set(enterprise.districts)) != 1:
            continue
        if enterprise.districts[0] != prepared.district:
            continue
        mine = facts.get(enterprise.pk, {})
        values = {kind: {period: f.value for period, f in by.items()} for kind, by in mine.items()}
        inputs, missing = inputs_from_facts(prepared, values)
        if missing:
            continue
        above = values.get("above_scale", {})
        try:
            est = calculator.estimate(
                spec=prepared.spec,
                params=prepared.params,
                inputs=inputs,
                on=prepared.on,
                enterprise=calculator.EnterpriseFacts(
                    above_scale=(above[max(above)] == "true") if above else enterprise.above_scale,
                    district=enterprise.districts[0],
                    industry=enterprise.industry_zh,
                    credit_code=enterprise.credit_code,
                ),
            )
        except calculator.InputError:  # a fact outside what the programme takes (DCMM 二级): not a candidate
            continue
        if not est.eligible or est.amount <= 0:
            continue
        sources = {}
        for name, _label, kind, period, _required in prepared.sources:
            by = mine.get(kind, {})
            key = "" if period == "none" or not F.KINDS[kind].periodic else max(by)
            key = key if period != "previous" else F.period_before(key)
            fact = by.get(key) or next(iter(by.values()))
            sources[name] = {
                "value": fact.value,
                "source": fact.source,
                "period": fact.period,
                "fact_import": fact.fact_import_id,
            }
        rows.append(
            (
                enterprise.pk,
                est.amount,
                sources,
                {"reasons": est.reasons, "steps": [[s.label, s.expression] for s in est.steps]},
            )
        )
    fiscal_year = timezone.localdate().year
    effect = batch_oversubscription(
        programme=programme,
        fiscal_year=fiscal_year,
        requests=[{"application_id": pk, "amount": amount, "score": None} for pk, amount, _s, _e in rows],
    )
    rank = {r["application_id"]: r["awarded"] for r in effect["rank"]["rows"]}
    pro = {r["application_id"]: r["awarded"] for r in effect["pro_rata"]["rows"]}
    seed = secrets.randbelow(2**31) if seed is None else seed
    size = min(len(rows), max(SAMPLE_MIN, math.ceil(len(rows) * SAMPLE_SHARE)))
    # a seeded, stored draw: the same batch shows the same sample to whoever checks it (not a secret)
    sample = sorted(random.Random(seed).sample([pk for pk, *_rest in rows], size))  # noqa: S311
    with transaction.atomic():
        batch = AutoAwardBatch.objects.create(
            programme=programme,
            window=window,
            facts_cutoff=facts_cutoff,
            confirm_workdays=int(confirm_workdays),
            seed=seed,
            sample=sample,
            created_by=actor,
            budget={
                "fiscal_year": fiscal_year,
                "pool_exists": effect["pool_exists"],
                "requested": str(effect["requested"]),
                "available": str(effect["available"]),
                "oversubscribed": effect["oversubscribed"],
                "rank_total": str(effect["rank"]["total"]),
                "pro_rata_total": str(effect["pro_rata"]["total"]),
                "pro_rata_ratio": str(effect["pro_rata"]["ratio"]),
                "candidates": len(rows),
                "left_out_changed_after_cutoff": len(later),
            },
        )
        AutoAwardCandidate.objects.bulk_create(
            [
                AutoAwardCandidate(
                    batch=batch,
                    enterprise_id=pk,
                    amount=amount,
                    inputs=sources,
                    estimate=explained,
                    rank_award=rank.get(pk, amount),
                    pro_rata_award=pro.get(pk, amount),
                    in_sample=pk in sample,
                )
                for pk, amount, sources, explained in rows
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="proactive.auto_batch_prepare",
            target=batch,
            ip=ip,
            after={
                "programme": programme.code,
                "window": window.pk,
                "facts_cutoff": facts_cutoff.isoformat(),
                **batch.budget,
                "sample": sample,
            },
        )
    return batch


def _inputs_of(candidate: AutoAwardCandidate, sources) -> dict[str, Any]:
    """The calculator's inputs from the facts the candidate was computed on (as the matching reads them)."""
    kinds = {name: kind for name, _label, kind, _period, _required in sources}
    return {name: F.as_input(kinds[name], src["value"]) for name, src in candidate.inputs.items() if name in kinds}


def _publish_check(actor, mode: str, comment: str) -> None:
    require(may_run_auto_awards(actor), _("只有主管部门管理员可以发布免申即享名单。"))
    if mode not in ("rank", "pro_rata"):
        raise ValidationError({"mode": _("请选择按排名择优或按比例核减。")})
    if not (comment or "").strip():
        raise ValidationError({"comment": _("请填写经办意见。")})


def progress_key(batch_id: int) -> str:
    return f"proactive:auto-publish:{batch_id}"


def auto_batch_publishing(batch_id: int) -> dict[str, Any] | None:
    """The progress of a batch's publishing, 复核 or 公示 in the background: {"what": publish / review /
    notice, "state": queued / running / failed, "done", "total", "error"}; None when none is under way (or
    it has finished)."""
    return cache.get(progress_key(batch_id))


def auto_batch_publish_request(
    *, actor, batch: AutoAwardBatch, mode: str, comment: str, ip: str | None = None
) -> list[BulkResult] | None:
    """发布 as the page asks for it: a batch of up to PUBLISH_IN_REQUEST_MAX candidates is published now
    (its results returned); a bigger one is checked now and published by a Celery task (None returned),
    all or nothing as here, its progress kept for the page (`auto_batch_publishing`)."""
    _publish_check(actor, mode, comment)
    require_district(actor, batch.programme.policy.district)
    if batch.state != AutoAwardBatch.State.PREPARED:
        raise ValidationError(_("该批次已发布，不能重复发布。"))
    total = batch.candidates.count()
    if total <= PUBLISH_IN_REQUEST_MAX:
        return auto_batch_publish(actor=actor, batch=batch, mode=mode, comment=comment, ip=ip)
    background_queue(batch.pk, "publish", total, actor_id=actor.pk, mode=mode, comment=comment, ip=ip)
    return None


def background_queue(batch_id: int, what: str, total: int, **kwargs) -> None:
    """Hand the batch's `what` (publish / notice / review) to its Celery task, unless one is under way."""
    key = progress_key(batch_id)
    under_way = {"what": what, "state": "queued", "done": 0, "total": total, "error": ""}
    if not cache.add(key, under_way, timeout=PROGRESS_TIMEOUT):
        if (auto_batch_publishing(batch_id) or {}).get("state") != "failed":
            raise ValidationError(_("该批次正在后台发布，请稍候。"))
        cache.set(key, under_way, timeout=PROGRESS_TIMEOUT)  # a failed run may be retried
    with transaction.atomic():
        outbox_enqueue(f"proactive.tasks.auto_batch_{what}_task", batch_id=batch_id, **kwargs)


def background_run(batch_id: int, what: str, total: int, work: Callable[[Callable[[int], None]], int]) -> int:
    """Run `work(progress)` for the task, keeping its progress for the page; a failure (everything rolled
    back: each step is one transaction) is kept for the page too."""
    key = progress_key(batch_id)

    def progress(done: int) -> None:
        state = {"what": what, "state": "running", "done": done, "total": total, "error": ""}
        cache.set(key, state, timeout=PROGRESS_TIMEOUT)

    def failed(message: str) -> None:
        state = {"what": what, "state": "failed", "done": 0, "total": total, "error": message}
        cache.set(key, state, timeout=PROGRESS_TIMEOUT)

    progress(0)
    try:
        done = work(progress)
    except (ValidationError, PermissionDenied) as error:
        failed("；".join(error.messages) if isinstance(error, ValidationError) else str(error))
        return 0
    except Exception:
        failed(_("发布失败，未作任何更改，请重试。"))
        raise
    cache.delete(key)
    return done


def auto_batch_publish_run(*, batch_id: int, actor_id: int, mode: str, comment: str, ip: str | None = None) -> int:
    """The Celery task's work: publish the batch (once: a batch no longer prepared is left alone).
    Returns the number of applications filed."""
    if not AutoAwardBatch.objects.filter(pk=batch_id, state=AutoAwardBatch.State.PREPARED).exists():
        cache.delete(progress_key(batch_id))
        return 0
    total = AutoAwardCandidate.objects.filter(batch_id=batch_id).count()

    def work(progress: Callable[[int], None]) -> int:
        actor = User.objects.get(pk=actor_id)
        filed = auto_batch_publish(actor=actor, batch=batch_id, mode=mode, comment=comment, ip=ip, progress=progress)
        return len(filed)

    return background_run(batch_id, "publish", total, work)


def auto_batch_publish(
    *,
    actor,
    batch: AutoAwardBatch | int,
    mode: str,
    comment: str,
    ip: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[BulkResult]:
    """发布 the prepared batch: an application of each candidate the chosen remedy (`mode` "rank" or
    "pro_rata") awards something, filed from its facts and submitted by the system, then the money
    decision of them all proposed as a batch (经办, `comment`), each walking its own approval chain.
    Those the proposal refuses are reported, not raised (they stay awaiting the bureau's decision).
    One transaction: nothing is filed unless all is. `progress(n)` is told every PROGRESS_EVERY filed."""
    _publish_check(actor, mode, comment)
    pk = batch.pk if isinstance(batch, AutoAwardBatch) else int(batch)
    with transaction.atomic():
        batch = AutoAwardBatch.objects.select_for_update().select_related("programme__policy", "window").get(pk=pk)
        require_district(actor, batch.programme.policy.district)
        if batch.state != AutoAwardBatch.State.PREPARED:
            raise ValidationError(_("该批次已发布，不能重复发布。"))
        prepared = programme_for_matching(batch.programme, timezone.localdate())
        filed: dict[int, AutoAwardCandidate] = {}
        for candidate in batch.candidates.select_related("enterprise").order_by("enterprise_id"):
            give = candidate.rank_award if mode == "rank" else candidate.pro_rata_award
            if give <= 0:
                continue
            app = application_file_auto(
                actor=actor,
                enterprise=candidate.enterprise,
                programme=batch.programme,
                window=batch.window,
                inputs=_inputs_of(candidate, prepared.sources),
                sources=candidate.inputs,
                ip=ip,
            )
            candidate.application = app
            candidate.save(update_fields=["application"])
            filed[app.pk] = candidate
            if progress is not None and len(filed) % PROGRESS_EVERY == 0:
                progress(len(filed))
        if not filed:
            raise ValidationError(_("按所选方式没有可以支持的候选企业（资金池余额不足或未设置）。"))
        results = batch_propose(
            actor=actor, window=batch.window, application_ids=list(filed), comment=comment, mode=mode, ip=ip
        )
        batch.state = AutoAwardBatch.State.PUBLISHED
        batch.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="proactive.auto_batch_publish",
            target=batch,
            ip=ip,
            note=comment,
            after={
                "mode": mode,
                "applications": list(filed),
                "proposed": [r.application_id for r in results if r.ok],
                "refused": {str(r.application_id): r.message for r in results if not r.ok},
            },
        )
    return results


def _ready(batch_id: int):
    """The batch's candidates whose approval chain has ended and that are not yet listed."""
    return AutoAwardCandidate.objects.filter(
        batch_id=batch_id, application__state=State.APPROVED_PENDING_NOTICE, confirm_by=None
    )


def auto_batch_notice_request(*, actor, batch: AutoAwardBatch, ip: str | None = None) -> PublicNotice | None:
    """公示 as the page asks for it: up to NOTICE_IN_REQUEST_MAX awards now (the notice returned), more
    by a Celery task (None returned; one notice, all or nothing), its progress kept for the page."""
    require(may_run_auto_awards(actor), _("只有主管部门管理员可以发布公示。"))
    require_district(actor, batch.programme.policy.district)
    if batch.state == AutoAwardBatch.State.PREPARED:
        raise ValidationError(_("请先发布该批次并完成核定审批。"))
    total = _ready(batch.pk).count()
    if total <= NOTICE_IN_REQUEST_MAX:
        return auto_batch_notice(actor=actor, batch=batch, ip=ip)
    background_queue(batch.pk, "notice", total, actor_id=actor.pk, ip=ip)
    return None


def auto_batch_notice_run(*, batch_id: int, actor_id: int, ip: str | None = None) -> int:
    """The Celery task's work: list the batch's ready awards (once: nothing ready, nothing done).
    Returns the notice's id (0 when nothing was listed)."""
    total = _ready(batch_id).count()
    if not total:
        cache.delete(progress_key(batch_id))
        return 0

    def work(progress: Callable[[int], None]) -> int:
        return auto_batch_notice(actor=User.objects.get(pk=actor_id), batch=batch_id, ip=ip).pk

    return background_run(batch_id, "notice", total, work)


def auto_batch_notice(*, actor, batch: AutoAwardBatch | int, ip: str | None = None) -> PublicNotice:
    """公示 the batch's awards whose approval chain has ended (拟支持，待公示) as one notice, as every other
    award; from today each listed enterprise has the batch's working days to confirm or decline."""
    require(may_run_auto_awards(actor), _("只有主管部门管理员可以发布公示。"))
    pk = batch.pk if isinstance(batch, AutoAwardBatch) else int(batch)
    with transaction.atomic():
        batch = AutoAwardBatch.objects.select_for_update().select_related("programme__policy").get(pk=pk)
        require_district(actor, batch.programme.policy.district)
        if batch.state == AutoAwardBatch.State.PREPARED:
            raise ValidationError(_("请先发布该批次并完成核定审批。"))
        ready = list(_ready(batch.pk).select_related("application"))
        if not ready:
            raise ValidationError(_("没有已完成审批、待公示的免申即享奖励。"))
        notice = notice_publish(
            actor=actor,
            application_ids=[c.application_id for c in ready],
            ip=ip,
            title=_("%(p)s免申即享拟支持名单公示") % {"p": batch.programme.name_zh},
        )
        confirm_by = add_workdays(notice.starts_on, batch.confirm_workdays)
        AutoAwardCandidate.objects.filter(pk__in=[c.pk for c in ready]).update(confirm_by=confirm_by)
        batch.state = AutoAwardBatch.State.LISTED
        batch.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="proactive.auto_batch_notice",
            target=batch,
            ip=ip,
            after={
                "notice": notice.pk,
                "applications": [c.application_id for c in ready],
                "confirm_by": confirm_by.isoformat(),
            },
        )
        listed = dict(notice.entries.values_list("application_id").annotate(total=Sum("amount")))
        for c in ready:
            notify_enterprise(
                enterprise_id=c.enterprise_id,
                kind="decision",
                subject=_("免申即享：请确认领取%(p)s") % {"p": batch.programme.name_zh},
                body=_(
                    "根据部门共享的企业数据，贵单位符合“%(p)s”，拟支持 %(amount)s 元，无需申报。"
                    "请于 %(d)s 前登录平台选择收款账户并确认领取，或选择放弃；逾期未确认的视为放弃。"
                )
                % {
                    "p": batch.programme.name_zh,
                    "amount": f"{listed.get(c.application_id, c.amount):,}",
                    "d": confirm_by.isoformat(),
                },
                link=reverse("proactive:auto_awards"),
                dedupe_key=f"auto-listed:{c.pk}",
            )
    return notice
