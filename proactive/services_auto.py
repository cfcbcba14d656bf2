"""免申即享 the bureau prepares a batch from facts: for a programme the catalogue flags (`auto_award`, with
the note why), a window and a facts cut-off, every enterprise of the district whose facts make it likely
eligible becomes a candidate with the computed amount; the budget effect is both remedies of
vouchers.oversubscription against the pool (as for an ordinary batch), and a seeded random sample is
marked to be checked by hand. Facts changed after the cut-off are not used (the enterprise is left out,
and counted). Nothing of the budget is reserved here."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.permissions import may_import_enterprise_facts, require, require_district
from vouchers import calculator
from vouchers.models import ApplicationWindow
from vouchers.services.budget import batch_oversubscription

from . import facts as F
from .matching import enterprises_for_matching, inputs_from_facts, programme_for_matching
from .models import AutoAwardBatch, AutoAwardCandidate, EnterpriseFact

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


def auto_batch_prepare(*, actor, window: ApplicationWindow, facts_cutoff: dt.datetime, confirm_workdays: int = 10,
                       seed: int | None = None, ip: str | None = None) -> AutoAwardBatch:
    programme = window.programme
    require(may_import_enterprise_facts(actor), _("只有主管部门管理员可以生成免申即享名单。"))
    require_district(actor, programme.policy.district)
    if not (programme.spec or {}).get("auto_award"):
        raise ValidationError({"window": _("该项目未列为免申即享项目。")})
    if facts_cutoff > timezone.now():
        raise ValidationError({"facts_cutoff": _("数据截止时间不能晚于现在。")})
    if not 1 <= int(confirm_workdays) <= CONFIRM_WORKDAYS_MAX:
        raise ValidationError({"confirm_workdays": _("确认期限须为 1 至 %(n)d 个工作日。") % {
            "n": CONFIRM_WORKDAYS_MAX}})
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
                spec=prepared.spec, params=prepared.params, inputs=inputs, on=prepared.on,
                enterprise=calculator.EnterpriseFacts(
                    above_scale=(above[max(above)] == "true") if above else enterprise.above_scale,
                    district=enterprise.districts[0], industry=enterprise.industry_zh,
                    credit_code=enterprise.credit_code))
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
            sources[name] = {"value": fact.value, "source": fact.source, "period": fact.period,
                             "fact_import": fact.fact_import_id}
        rows.append((enterprise.pk, est.amount, sources, {"reasons": est.reasons,
                                                          "steps": [[s.label, s.expression] for s in est.steps]}))
    fiscal_year = timezone.localdate().year
    effect = batch_oversubscription(programme=programme, fiscal_year=fiscal_year, requests=[
        {"application_id": pk, "amount": amount, "score": None} for pk, amount, _s, _e in rows])
    rank = {r["application_id"]: r["awarded"] for r in effect["rank"]["rows"]}
    pro = {r["application_id"]: r["awarded"] for r in effect["pro_rata"]["rows"]}
    seed = secrets.randbelow(2**31) if seed is None else seed
    size = min(len(rows), max(SAMPLE_MIN, math.ceil(len(rows) * SAMPLE_SHARE)))
    # a seeded, stored draw: the same batch shows the same sample to whoever checks it (not a secret)
    sample = sorted(random.Random(seed).sample([pk for pk, *_rest in rows], size))  # noqa: S311
    with transaction.atomic():
        batch = AutoAwardBatch.objects.create(
            programme=programme, window=window, facts_cutoff=facts_cutoff, confirm_workdays=int(confirm_workdays),
            seed=seed, sample=sample, created_by=actor, budget={
                "fiscal_year": fiscal_year, "pool_exists": effect["pool_exists"],
                "requested": str(effect["requested"]), "available": str(effect["available"]),
                "oversubscribed": effect["oversubscribed"], "rank_total": str(effect["rank"]["total"]),
                "pro_rata_total": str(effect["pro_rata"]["total"]), "pro_rata_ratio": str(effect["pro_rata"]["ratio"]),
                "candidates": len(rows), "left_out_changed_after_cutoff": len(later)})
        AutoAwardCandidate.objects.bulk_create([
            AutoAwardCandidate(batch=batch, enterprise_id=pk, amount=amount, inputs=sources, estimate=explained,
                               rank_award=rank.get(pk, amount), pro_rata_award=pro.get(pk, amount),
                               in_sample=pk in sample)
            for pk, amount, sources, explained in rows], batch_size=2000)
        audit_record(actor=actor, action="proactive.auto_batch_prepare", target=batch, ip=ip,
                     after={"programme": programme.code, "window": window.pk, "facts_cutoff": facts_cutoff.isoformat(),
                            **batch.budget, "sample": sample})
    return batch
