"""Loading the shipped catalogue, and administrators' changes to it (a parameter from a date, an
application window)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.jsonvalues import json_safe
from portal.permissions import require_district

from ..catalogue import load_catalogue
from ..lifecycle import window_check
from ..models import ApplicationWindow, ParameterValue, Policy, Programme
from ..officialtext import chinese_punctuation, clause_reference, official_text, portal_note, profile_of

SEEDS_DIR = Path(settings.BASE_DIR) / "vouchers" / "catalogue" / "texts"

PROGRAMME_COLUMNS = (
    "name_zh",
    "name_en",
    "kind",
    "article",
    "clause_text",
    "summary_zh",
    "eligibility_zh",
    "review_path",
    "is_voucher",
    "staged_payment",
    "once_only",
    "formula",
    "inputs",
    "materials",
    "criteria",
)


def _full_text(policy: dict) -> str:
    name = policy.get("full_text_file") or ""
    for folder in (SEEDS_DIR, Path(settings.BASE_DIR).parent / "shared" / "seeds"):
        path = folder / name
        if name and path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def _punctuated(prog: dict[str, Any]) -> dict[str, Any]:
    """The programme with the portal's own Chinese in full-width punctuation (names, summaries,
    conditions, input labels and help, materials, criteria); the clause quotes stay verbatim here
    (official_text converts them, keeping the source)."""
    prog = copy.deepcopy(prog)
    for key in ("name_zh", "summary_zh", "eligibility_zh"):
        if isinstance(prog.get(key), str):
            prog[key] = chinese_punctuation(prog[key])
    for item in [
        *prog.get("inputs", []),
        *prog.get("materials", []),
        *prog.get("criteria", []),
        *(c for i in prog.get("inputs", []) for c in i.get("choices") or []),
    ]:
        for key in ("label_zh", "help_zh"):
            if isinstance(item.get(key), str):
                item[key] = chinese_punctuation(item[key])
    return prog


def catalogue_load(directory: Path | None = None) -> dict[str, int]:
    """Upsert the policies, their programmes and dated parameters from the shipped YAML (or the
    files of `directory`: a successor policy is loaded beside the old one). Idempotent: loading
    twice changes nothing. Parameter values an administrator added (other dates) are kept; a
    shipped value is only written where no row exists for its (name, date). Nothing of another
    policy's applications or awards is touched."""
    counts = {"policies": 0, "programmes": 0, "parameters": 0, "changed": 0}
    # predecessors first, so that a successor finds the policy it follows
    policies = sorted(load_catalogue(directory), key=lambda p: (bool(p.get("predecessor")), p["code"]))
    with transaction.atomic():
        for order_p, data in enumerate(policies):
            policy_fields = {
                # the official title in full-width punctuation, as it is issued (the seed's PDF extraction has ( ) ,)
                "document_number": data["document_number"],
                "title": chinese_punctuation(data["title"]),
                "issuers": data["issuers"],
                "district": data["district"],
                "issue_date": data["issue_date"],
                "valid_from": data["valid_from"],
                "valid_to": data["valid_to"],
                "status": data["status"],
                "letter_authority": data["letter_authority"],
                "letter_prefix": data["letter_prefix"],
                "note": chinese_punctuation(data.get("note") or ""),
                # a successor names the policy it follows; its own programmes, parameters and windows
                "predecessor": Policy.objects.filter(code=data["predecessor"]).first()
                if data.get("predecessor")
                else None,
            }
            text = _full_text(data)
            profile = profile_of(text)
            if text:
                # 规范文本 the official simplified text is shown and quoted; the seed stays as its provenance
                policy_fields["full_text"] = official_text(text, profile)
                policy_fields["full_text_source"] = text
            policy, created = Policy.objects.get_or_create(code=data["code"], defaults=policy_fields)
            changed = [k for k, v in policy_fields.items() if getattr(policy, k) != v]
            if changed and not created:
                for k in changed:
                    setattr(policy, k, policy_fields[k])
                policy.save(update_fields=changed)
                counts["changed"] += 1
            counts["policies"] += 1
            for order, prog in enumerate(data["programmes"]):
                prog = _punctuated(prog)
                fields = {
                    k: json_safe(prog.get(k, "")) if k in ("inputs", "materials", "criteria") else prog.get(k)
                    for k in PROGRAMME_COLUMNS
                }
                fields["criteria"] = fields["criteria"] or []
                fields["name_en"] = fields["name_en"] or ""
                fields["clause_text"] = official_text(prog["clause_text"], profile)
                fields["clause_source"] = prog["clause_text"]  # the YAML's verbatim quote of the seed
                # 责任单位: the programme's responsible unit issues its letters in its own number series
                fields["responsible_unit"] = prog.get("responsible_unit") or data["letter_authority"]
                fields["letter_prefix"] = prog.get("letter_prefix") or data["letter_prefix"]
                fields.update(policy=policy, sort_order=order_p * 100 + order, spec=json_safe(prog))
                programme, created = Programme.objects.get_or_create(code=prog["code"], defaults=fields)
                diff = [k for k, v in fields.items() if getattr(programme, k) != v]
                if diff and not created:
                    for k in diff:
                        setattr(programme, k, fields[k])
                    programme.save(update_fields=diff)
                    counts["changed"] += 1
                counts["programmes"] += 1
                for param in prog["parameters"]:
                    # the clause's words in official text; a remark of the portal's in it joins the note
                    clause, remark = clause_reference(param.get("clause", ""), source=text, profile=profile)
                    note = portal_note(param.get("note", ""), remark=remark, profile=profile)
                    row, created = ParameterValue.objects.get_or_create(
                        programme=programme,
                        name=param["name"],
                        effective_from=param["effective_from"],
                        defaults={"value": Decimal(str(param["value"])), "clause": clause, "note": note},
                    )
                    if not created and row.created_by_id is None and (row.clause, row.note) != (clause, note):
                        # a shipped row loaded before: its words are brought up to date, never its value
                        row.clause, row.note = clause, note
                        row.save(update_fields=["clause", "note"])
                        created = True
                    counts["parameters"] += 1
                    counts["changed"] += int(created)
    return counts


def parameter_set(
    *,
    actor,
    programme: Programme,
    name: str,
    value: Decimal,
    effective_from: dt.date,
    clause: str,
    note: str = "",
    ip: str | None = None,
) -> ParameterValue:
    """An annual guideline (申报指南) changes a parameter from a date. Past awards keep the values they
    were computed with (stored on each award), so nothing earlier changes."""
    if not getattr(actor, "is_bureau_admin", False):
        raise PermissionDenied(_("只有管理员可以修改政策参数。"))
    require_district(actor, programme.policy.district)
    known = set(programme.parameters.values_list("name", flat=True))
    errors = {}
    if name not in known:
        errors["name"] = _("项目 %(code)s 没有参数 %(name)s。") % {"code": programme.code, "name": name}
    if value is None or Decimal(value) < 0:
        errors["value"] = _("参数值不能为负数。")
    if not clause.strip():
        errors["clause"] = _("请注明参数调整的依据（如年度申报指南的条款）。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = ParameterValue.objects.filter(programme=programme, name=name, effective_from=effective_from).first()
        row, _created = ParameterValue.objects.update_or_create(
            programme=programme,
            name=name,
            effective_from=effective_from,
            defaults={"value": Decimal(value), "clause": clause, "note": note, "created_by": actor},
        )
        audit_record(
            actor=actor,
            action="parameter.set",
            target=row,
            ip=ip,
            before={"value": str(before.value)} if before else None,
            after={
                "programme": programme.code,
                "name": name,
                "value": str(value),
                "effective_from": effective_from.isoformat(),
            },
        )
    return row


def window_open(
    *,
    actor,
    programme: Programme,
    name: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    kind: str = ApplicationWindow.Kind.ORDINARY,
    ip: str | None = None,
) -> ApplicationWindow:
    """Administrators open an application window (申报批次) of a programme; after the policy has
    expired, a claim window (清算批次) for facts inside its validity (vouchers.lifecycle)."""
    if not getattr(actor, "is_bureau_admin", False):
        raise PermissionDenied(_("只有管理员可以设置申报批次。"))
    require_district(actor, programme.policy.district)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("截止时间必须晚于开始时间。")})
    window_check(programme=programme, kind=kind, opens_at=opens_at, closes_at=closes_at)
    with transaction.atomic():
        window = ApplicationWindow.objects.create(
            programme=programme, name=name, opens_at=opens_at, closes_at=closes_at, kind=kind
        )
        audit_record(
            actor=actor,
            action="window.open",
            target=window,
            ip=ip,
            after={
                "programme": programme.code,
                "name": name,
                "kind": kind,
                "opens_at": opens_at.isoformat(),
                "closes_at": closes_at.isoformat(),
            },
        )
    return window


def _window_json(window: ApplicationWindow) -> dict[str, Any]:
    return {
        "name": window.name,
        "kind": window.kind,
        "opens_at": window.opens_at.isoformat(),
        "closes_at": window.closes_at.isoformat(),
    }


def window_change(
    *,
    actor,
    window: ApplicationWindow,
    name: str | None = None,
    kind: str | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    ip: str | None = None,
) -> ApplicationWindow:
    """Administrators change a window (申报批次): its name and deadline at any time before it closes
    (an extension, or an earlier deadline still ahead); its start and kind only before it opens, since
    applications are submitted under it from then on. The rules of vouchers.lifecycle hold for the
    result (a claim window after the policy's end, an ordinary one inside it). Audited."""
    if not getattr(actor, "is_bureau_admin", False):
        raise PermissionDenied(_("只有管理员可以设置申报批次。"))
    now = timezone.now()
    with transaction.atomic():
        locked = ApplicationWindow.objects.select_for_update().select_related("programme__policy").get(pk=window.pk)
        require_district(actor, locked.programme.policy.district)
        before = _window_json(locked)
        if locked.closes_at <= now:
            raise ValidationError(
                _("该批次已于 %(t)s 截止，不能再修改。")
                % {"t": timezone.localtime(locked.closes_at).strftime("%Y-%m-%d %H:%M")}
            )
        started = locked.opens_at <= now
        errors: dict[str, str] = {}
        if started and opens_at is not None and opens_at != locked.opens_at:
            errors["opens_at"] = _("批次已开始受理，不能修改开始时间。")
        if started and kind is not None and kind != locked.kind:
            errors["kind"] = _("批次已开始受理，不能修改批次类型。")
        if closes_at is not None and closes_at <= now:
            errors["closes_at"] = _("截止时间须晚于现在；如需立即截止，请使用“截止受理”。")
        if name is not None and not name.strip():
            errors["name"] = _("请填写批次名称。")
        if errors:
            raise ValidationError(errors)
        locked.name = name.strip() if name is not None else locked.name
        locked.kind = kind if kind is not None else locked.kind
        locked.opens_at = opens_at if opens_at is not None else locked.opens_at
        locked.closes_at = closes_at if closes_at is not None else locked.closes_at
        if locked.closes_at <= locked.opens_at:
            raise ValidationError({"closes_at": _("截止时间必须晚于开始时间。")})
        window_check(programme=locked.programme, kind=locked.kind, opens_at=locked.opens_at, closes_at=locked.closes_at)
        locked.save(update_fields=["name", "kind", "opens_at", "closes_at"])
        audit_record(
            actor=actor,
            action="window.change",
            target=locked,
            ip=ip,
            before=before,
            after={"programme": locked.programme.code, **_window_json(locked)},
        )
    return locked


def window_close(*, actor, window: ApplicationWindow, reason: str = "", ip: str | None = None) -> ApplicationWindow:
    """截止受理 administrators close an open window now (its deadline becomes this moment: nothing more
    is submitted under it; what was submitted goes on). Audited, with the reason if given."""
    if not getattr(actor, "is_bureau_admin", False):
        raise PermissionDenied(_("只有管理员可以设置申报批次。"))
    now = timezone.now()
    with transaction.atomic():
        locked = ApplicationWindow.objects.select_for_update().select_related("programme__policy").get(pk=window.pk)
        require_district(actor, locked.programme.policy.district)
        if locked.closes_at <= now:
            raise ValidationError(_("该批次已截止。"))
        if locked.opens_at >= now:
            raise ValidationError(_("该批次尚未开始受理；如需调整，请修改其开始和截止时间。"))
        before = _window_json(locked)
        locked.closes_at = now
        locked.save(update_fields=["closes_at"])
        audit_record(
            actor=actor,
            action="window.close",
            target=locked,
            ip=ip,
            before=before,
            after={"programme": locked.programme.code, **_window_json(locked)},
            note=(reason or "").strip(),
        )
    return locked
