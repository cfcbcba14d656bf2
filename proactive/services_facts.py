"""一企一档: importing the departments' files of enterprise facts, and the enterprises' contests of
them (the bureau resolves, audited). An import is checked as a whole first: every bad cell is reported
by row and column in Chinese and nothing is written; the same file again changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Enterprise
from applications.selectors import is_owner_of
from applications.uscc import normalize
from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise
from portal.permissions import (
    district_q,
    may_import_enterprise_facts,
    may_resolve_fact_contests,
    require,
    require_district,
)

from . import facts as F
from .models import Department, EnterpriseFact, FactContest, FactImport
from .tables import read_table

ERRORS_SHOWN = 100
REASON_MAX = 2000


def _cell_error(row: int, column: str, message: str) -> str:
    return _("第%(r)d行“%(c)s”列：%(m)s") % {"r": row, "c": column, "m": message}


def facts_parse(table: list[list[object]], *, period: str = "") -> tuple[list[tuple[str, str, str, str]], int]:
    """(credit code, kind, period, value) of every cell, and the number of data rows; ValidationError
    listing every problem (row numbers as the spreadsheet shows them, the header being row 1)."""
    errors: list[str] = []
    if not table:
        raise ValidationError([_("文件是空的。")])
    header = [str(h or "").strip() for h in table[0]]
    code_col = next((i for i, h in enumerate(header) if h in F.CODE_HEADERS), None)
    period_col = next((i for i, h in enumerate(header) if h in F.PERIOD_HEADERS), None)
    columns: dict[int, str] = {}
    for i, h in enumerate(header):
        if i in (code_col, period_col) or not h:
            continue
        kind = F.header_kind(h)
        if kind is None:
            errors.append(_("第1行“%(c)s”列：不是可导入的企业信息（请使用模板中的列名）。") % {"c": h})
        elif kind in columns.values():
            errors.append(_("第1行“%(c)s”列：与前面的列重复。") % {"c": h})
        else:
            columns[i] = kind
    if code_col is None:
        errors.append(_("第1行：缺少“统一社会信用代码”列。"))
    if not columns and not errors:
        errors.append(_("第1行：没有可导入的企业信息列。"))
    if default_period := str(period or "").strip():
        try:
            default_period = F.period_parse(default_period)
        except ValueError as error:
            raise ValidationError({"period": str(error)}) from None
    if errors:
        raise ValidationError(errors)
    assert code_col is not None
    out: list[tuple[str, str, str, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    rows = 0
    for n, row in enumerate(table[1:], start=2):
        cells = [("" if v is None else v) for v in row] + [""] * (len(header) - len(row))
        if not any(str(v).strip() for v in cells):
            continue
        rows += 1
        code = normalize(str(cells[code_col]))
        if not code:
            errors.append(_cell_error(n, header[code_col], _("不能为空")))
            continue
        row_period = default_period
        if period_col is not None and str(cells[period_col]).strip():
            try:
                row_period = F.period_parse(cells[period_col])
            except ValueError as error:
                errors.append(_cell_error(n, header[period_col], str(error)))
                continue
        for i, kind in columns.items():
            raw = cells[i]
            if not str(raw).strip():
                continue  # a blank cell says nothing
            if F.KINDS[kind].periodic and not row_period:
                errors.append(_cell_error(n, header[i], _("须注明所属期间（“所属期间”列或导入时填写）")))
                continue
            try:
                value = F.value_parse(kind, raw)
            except ValueError as error:
                errors.append(_cell_error(n, header[i], str(error)))
                continue
            key = (code, kind, row_period if F.KINDS[kind].periodic else "")
            if key in seen:
                errors.append(_cell_error(n, header[i], _("与第%(r)d行重复") % {"r": seen[key]}))
                continue
            seen[key] = n
            out.append((*key, value))
    if not out and not errors:
        errors.append(_("文件中没有可导入的企业信息。"))
    if errors:
        shown = errors[:ERRORS_SHOWN]
        if len(errors) > ERRORS_SHOWN:
            shown.append(_("……另有 %(n)d 处错误。") % {"n": len(errors) - ERRORS_SHOWN})
        raise ValidationError(shown)
    return out, rows


def facts_import(
    *,
    actor,
    data: bytes,
    file_name: str,
    department: str,
    source: str,
    period: str = "",
    on_commit: Callable[[], None] | None = None,
) -> tuple[FactImport, bool]:
    """Import a department's file; (the batch, whether it is new). The same file (by content) a second
    time returns the first batch and writes nothing. Facts of codes no enterprise holds are counted."""
    require(may_import_enterprise_facts(actor), _("只有主管部门管理员可以导入企业档案。"))
    if department not in Department.values:
        raise ValidationError({"department": _("请选择提供数据的部门。")})
    source = str(source or "").strip()
    if not source:
        raise ValidationError({"source": _("请写明数据来源（如：广州市统计局规模以上企业名录）。")})
    if len(source) > FactImport._meta.get_field("source").max_length:
        raise ValidationError({"source": _("数据来源过长。")})
    sha = hashlib.sha256(data).hexdigest()
    if (done := FactImport.objects.filter(sha256=sha).first()) is not None:
        return done, False
    cells, rows = facts_parse(read_table(data, file_name), period=period)
    limit = FactImport._meta.get_field("file_name").max_length
    with transaction.atomic():
        batch, created = FactImport.objects.get_or_create(
            sha256=sha,
            defaults={
                "department": department,
                "source": source,
                "rows": rows,
                "imported_by": actor,
                "file_name": file_name if len(file_name) <= limit else "…" + file_name[-(limit - 1) :],
            },
        )
        if not created:  # the same file imported meanwhile by someone else
            return batch, False
        # an administrator bound to a district writes its enterprises' facts only; other codes count as unknown
        ids = dict(
            Enterprise.objects.filter(
                district_q(actor, "registered_district"), credit_code__in={c[0] for c in cells}
            ).values_list("credit_code", "pk")
        )
        existing = {
            (f.enterprise_id, f.kind, f.period): f
            for f in EnterpriseFact.objects.select_for_update().filter(
                enterprise_id__in=ids.values(), kind__in={c[1] for c in cells}
            )
        }
        new, changed, unknown = [], [], set()
        for code, kind, fact_period, value in cells:
            enterprise_id = ids.get(code)
            if enterprise_id is None:
                unknown.add(code)
                continue
            fact = existing.get((enterprise_id, kind, fact_period))
            if fact is None:
                new.append(
                    EnterpriseFact(
                        enterprise_id=enterprise_id,
                        kind=kind,
                        period=fact_period,
                        value=value,
                        department=department,
                        source=source,
                        fact_import=batch,
                    )
                )
            elif (fact.value, fact.source, fact.department) != (value, source, department):
                changed.append((fact, fact.value))
                fact.value, fact.source, fact.department, fact.fact_import = value, source, department, batch
                fact.corrected_by_contest = False
        EnterpriseFact.objects.bulk_create(new, batch_size=2000)
        EnterpriseFact.objects.bulk_update(
            [f for f, _old in changed],
            ["value", "source", "department", "fact_import", "corrected_by_contest", "updated_at"],
            batch_size=2000,
        )
        batch.created, batch.changed, batch.unknown = len(new), len(changed), len(unknown)
        batch.unchanged = len(cells) - len(new) - len(changed) - sum(1 for c in cells if c[0] in unknown)
        batch.save(update_fields=["created", "changed", "unknown", "unchanged"])
        audit_record(
            actor=actor,
            action="proactive.facts_import",
            target=batch,
            after={
                "department": department,
                "source": source,
                "rows": rows,
                "created": len(new),
                "changed": [
                    {"enterprise": f.enterprise_id, "kind": f.kind, "period": f.period, "before": old, "after": f.value}
                    for f, old in changed[:500]
                ],
                "unknown": len(unknown),
            },
        )
        if on_commit is not None:
            transaction.on_commit(on_commit)
    return batch, True


def fact_contest(
    *, actor, fact: EnterpriseFact, reason: str, proposed_value: str = "", ip: str | None = None
) -> FactContest:
    """异议 the owner says a fact of theirs is wrong; the bureau decides."""
    require(is_owner_of(actor, fact.enterprise_id), _("只有本企业的法人/负责人可以对档案信息提出异议。"))
    text = str(reason or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["reason"] = _("请写明异议理由。")
    elif len(text) > REASON_MAX:
        errors["reason"] = _("异议理由最多 %(n)d 个字符。") % {"n": REASON_MAX}
    proposed = str(proposed_value or "").strip()
    if proposed:
        try:
            proposed = F.value_parse(fact.kind, proposed)
        except ValueError as error:
            errors["proposed_value"] = str(error)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = EnterpriseFact.objects.select_for_update().get(pk=fact.pk)
        if FactContest.objects.filter(fact=locked, state=FactContest.State.PENDING).exists():
            raise ValidationError({"__all__": _("该信息已有待处理的异议。")})
        contest = FactContest.objects.create(fact=locked, raised_by=actor, reason=text, proposed_value=proposed)
        audit_record(
            actor=actor,
            action="proactive.fact_contest",
            target=locked,
            ip=ip,
            after={"contest": contest.pk, "value": locked.value, "proposed": proposed},
            note=text,
        )
    return contest


def fact_contest_resolve(
    *,
    actor,
    contest: FactContest,
    uphold: bool,
    resolution: str,
    value: str = "",
    ip: str | None = None,
    on_commit: Callable[[], None] | None = None,
) -> FactContest:
    """The bureau's answer: upheld, the fact takes the corrected value (the enterprise's proposal unless
    the bureau gives another); rejected, nothing changes. Either way the enterprise is told."""
    require(may_resolve_fact_contests(actor), _("只有主管部门人员可以处理档案异议。"))
    require_district(actor, contest.fact.enterprise.registered_district)
    text = str(resolution or "").strip()
    if not text:
        raise ValidationError({"resolution": _("请填写处理意见。")})
    if len(text) > REASON_MAX:
        raise ValidationError({"resolution": _("处理意见最多 %(n)d 个字符。") % {"n": REASON_MAX}})
    with transaction.atomic():
        fact = EnterpriseFact.objects.select_for_update().get(pk=contest.fact_id)
        contest = FactContest.objects.select_for_update().get(pk=contest.pk)
        if contest.state != FactContest.State.PENDING:
            raise ValidationError({"__all__": _("该异议已处理。")})
        before = fact.value
        if uphold:
            corrected = str(value or "").strip() or contest.proposed_value
            if not corrected:
                raise ValidationError({"value": _("异议成立时请填写更正后的值。")})
            try:
                corrected = F.value_parse(fact.kind, corrected)
            except ValueError as error:
                raise ValidationError({"value": str(error)}) from None
            fact.value, fact.corrected_by_contest = corrected, True
            fact.save(update_fields=["value", "corrected_by_contest", "updated_at"])
        contest.state = FactContest.State.UPHELD if uphold else FactContest.State.REJECTED
        contest.resolved_by, contest.resolved_at, contest.resolution = actor, timezone.now(), text
        contest.save(update_fields=["state", "resolved_by", "resolved_at", "resolution"])
        audit_record(
            actor=actor,
            action="proactive.fact_contest_resolve",
            target=fact,
            ip=ip,
            before={"value": before},
            after={"contest": contest.pk, "state": contest.state, "value": fact.value},
            note=text,
        )
        label = str(F.FactKind(fact.kind).label)
        subject = _("档案信息异议已处理")
        body = (
            _("贵企业对“%(k)s”提出的异议成立，已更正。") if uphold else _("贵企业对“%(k)s”提出的异议不成立：%(r)s")
        ) % {"k": label, "r": text}
        notify_enterprise(
            enterprise_id=fact.enterprise_id,
            kind=Notification.Kind.ACCOUNT,
            subject=subject,
            body=body,
            link="",
            dedupe_key=f"fact-contest:{contest.pk}",
        )
        if on_commit is not None and uphold:
            transaction.on_commit(on_commit)
    return contest
