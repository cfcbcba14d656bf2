"""The applicant's draft 草稿: reference numbers, saving, estimating and creating."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Role
from vouchers.calculator import InputError
from vouchers.lifecycle import accepts_new_applications, basis_date
from vouchers.models import Programme
from vouchers.selectors import estimate_as_json, estimate_for, programme_spec

from ..drafts import DATE_FIELDS, LIST_FIELDS, TEXT_FIELDS, clean_draft, completeness_errors, raw_text
from ..models import (
    Application,
    ProjectClaim,
    ReferenceSequence,
)
from ..selectors import basis_of, enterprise_of
from ..services_preapproval import preapproval_choose, preapproval_estimate
from ..workflow import EventAction, Route, State
from .guards import require_applicant, require_editable
from .transitions import application_lock_for_change, timeline_add


def reference_next(*, on: dt.date | None = None) -> str:
    """The next application reference of the year, GZAI-2026-000123. Call inside a transaction:
    the year's counter row stays locked until it commits, so two callers never get the same number."""
    year = (on or timezone.localdate()).year
    seq, _created = ReferenceSequence.objects.select_for_update().get_or_create(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"GZAI-{year}-{seq.last:06d}"


@dataclass
class DraftSaved:
    application: Application
    errors: dict[str, str] = field(default_factory=dict)  # fields kept as typed but not (yet) valid
    estimate_error: str = ""  # why no estimate could be computed (inputs complete but refused)


def _sync_claims(app: Application, kind: str, values: list[str]) -> None:
    current = set(app.claims.filter(kind=kind).values_list("value", flat=True))
    wanted = set(values)
    if current == wanted:
        return
    app.claims.filter(kind=kind).exclude(value__in=wanted).delete()
    ProjectClaim.objects.bulk_create(
        [ProjectClaim(application=app, kind=kind, value=v) for v in values if v not in current]
    )


def refresh_estimate(app: Application) -> str:
    """Recompute the stored estimate from the application's inputs; the reason when it cannot be."""
    spec = programme_spec(app.programme)
    if completeness_errors(spec, app.inputs):
        app.estimate_amount, app.estimate = None, None
        return ""
    try:
        est = estimate_for(
            programme=app.programme,
            inputs=app.inputs,
            enterprise=app.enterprise,
            on=basis_of(app),
            exclude_application_id=app.pk,
            project_key=app.project_key,
        )
    except InputError as exc:
        app.estimate_amount, app.estimate = None, None
        if "date" in exc.errors and app.basis_date is None:  # judged today, outside the validity
            try:
                basis_date(programme=app.programme, submitted_on=timezone.localdate(), period_end=app.period_end)
            except ValidationError as why:
                exc.errors["date"] = "；".join(why.messages)
        return "；".join(exc.errors.values())
    est = preapproval_estimate(app, est)  # th-events: satisfied only by a named 事前同意
    app.estimate_amount, app.estimate = est.amount, estimate_as_json(est)
    return ""


def application_save_draft(
    *,
    actor,
    application: Application | int,
    data: Mapping[str, Any],
    strict: bool = False,
    autosave: bool = False,
    ip: str | None = None,
) -> DraftSaved:
    """Save what the applicant typed (a partial update: only the keys in `data`).

    Lenient (the browser, `strict=False`): everything is kept as typed in `draft_data` so nothing
    is lost, what validates goes into the columns, claims and inputs, and the rest comes back as
    field errors. Strict (the API): any invalid field refuses the whole save (ValidationError).
    Missing values are not errors here; submission checks completeness. Only members of the
    application's enterprise, and only while it is a draft or awaits a supplement."""
    with transaction.atomic():
        app = application_lock_for_change(application)
        require_applicant(actor, app)
        require_editable(app)
        spec = programme_spec(app.programme)
        cleaned = clean_draft(spec, data)
        if strict and cleaned.errors:
            raise ValidationError(cleaned.errors)
        before = {
            "inputs": dict(app.inputs),
            "title": app.title,
            "project_key": app.project_key,
            "claims": sorted(f"{c.kind}:{c.value}" for c in app.claims.all()),
            "preapproval": app.preapproval_id,
        }
        if "preapproval" in data:  # the 事前同意 the claim rests on (th-events)
            problem = preapproval_choose(actor=actor, application=app, value=data["preapproval"])
            if problem and strict:
                raise ValidationError({"preapproval": problem})
            if problem:
                cleaned.errors["preapproval"] = problem
        draft = dict(app.draft_data or {})
        for key in (*TEXT_FIELDS, *LIST_FIELDS, *DATE_FIELDS):
            if key in data:
                draft[key] = raw_text(data[key])
        if isinstance(data.get("inputs"), Mapping):
            draft_inputs = dict(draft.get("inputs") or {})
            for name, value in data["inputs"].items():
                if f"inputs.{name}" in cleaned.errors and name not in {m["name"] for m in spec.inputs}:
                    continue  # unknown names are reported, not kept
                draft_inputs[str(name)] = raw_text(value)
            draft["inputs"] = draft_inputs
        for key, value in cleaned.values.items():
            setattr(app, key, value)
        inputs = {k: v for k, v in app.inputs.items() if k not in cleaned.dropped_inputs}
        inputs.update(cleaned.inputs)
        app.inputs = inputs
        app.draft_data = draft
        app.draft_saved_at = timezone.now()
        if "project_key" in cleaned.values:
            _sync_claims(app, ProjectClaim.Kind.PROJECT, [app.project_key] if app.project_key else [])
        if "contract_numbers" in cleaned.numbers:
            _sync_claims(app, ProjectClaim.Kind.CONTRACT, cleaned.numbers["contract_numbers"])
        if "invoice_numbers" in cleaned.numbers:
            _sync_claims(app, ProjectClaim.Kind.INVOICE, cleaned.numbers["invoice_numbers"])
        estimate_error = refresh_estimate(app)
        app.save()
        after = {
            "inputs": dict(app.inputs),
            "title": app.title,
            "project_key": app.project_key,
            "claims": sorted(f"{c.kind}:{c.value}" for c in app.claims.all()),
            "preapproval": app.preapproval_id,
        }
        # Keystroke autosaves of a draft are not audited; every other change is.
        if after != before and (not autosave or app.state != State.DRAFT):
            audit_record(actor=actor, action="application.save_draft", target=app, ip=ip, before=before, after=after)
    return DraftSaved(application=app, errors=cleaned.errors, estimate_error=estimate_error)


def application_create(
    *,
    actor,
    programme: Programme,
    data: Mapping[str, Any] | None = None,
    strict: bool = False,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    ip: str | None = None,
) -> DraftSaved:
    """Open a draft application of the actor's enterprise under the programme, with a reference
    number; `data` (optional) is saved into it as by application_save_draft. `sources` (快申快享): where
    each pre-filled input of `data` came from (input → {value, department, source, period,
    fact_import}); kept for the inputs that were saved, shown beside them on the form and the review
    page. Changing such a value later makes it the enterprise's own declaration; the source stays. An
    application that starts with at least one pre-filled input is a 快申快享 one (route QUICK)."""
    enterprise = enterprise_of(actor)
    if enterprise is None or actor.role != Role.ENTERPRISE or not actor.is_active:
        raise PermissionDenied(_("请先登记您的企业，或接受企业负责人的邀请后再申报。"))
    if not accepts_new_applications(programme.policy):
        raise ValidationError(
            {
                "programme": _("“%(p)s”所依据的政策已于 %(d)s 到期，且未开放清算批次，不能再申报。")
                % {"p": programme.name_zh, "d": programme.policy.valid_to.isoformat()}
            }
        )
    if strict and data:
        cleaned = clean_draft(programme_spec(programme), data)
        if cleaned.errors:
            raise ValidationError(cleaned.errors)
    with transaction.atomic():
        app = Application.objects.create(
            reference=reference_next(), enterprise=enterprise, programme=programme, created_by=actor, state=State.DRAFT
        )
        audit_record(
            actor=actor,
            action="application.create",
            target=app,
            ip=ip,
            after={"reference": app.reference, "programme": programme.code},
        )
        timeline_add(
            application=app, actor=actor, action=EventAction.CREATE, to_state=State.DRAFT, message=_("创建申报草稿")
        )
        saved = application_save_draft(actor=actor, application=app, data=data or {}, strict=strict, ip=ip)
        kept = {str(k): dict(v) for k, v in (sources or {}).items() if k in saved.application.inputs}
        if kept:
            saved.application.input_sources, saved.application.route = kept, Route.QUICK
            saved.application.save(update_fields=["input_sources", "route", "updated_at"])
            audit_record(actor=actor, action="application.prefill", target=app, ip=ip, after={"sources": kept})
    return saved
