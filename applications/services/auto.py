"""免申即享 applications filed from facts: the bureau files one for an enterprise in a batch (inputs
from the enterprise's facts, each with its source), the system submits it on the enterprise's behalf
(transition auto_submit), and the enterprise later confirms the award in one step (收款账户 and a
declaration, no uploads) or declines it. The money decision, the notice and the letters are the
ordinary ones (reviews)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.permissions import may_run_auto_awards, require, require_district
from vouchers.lifecycle import basis_date
from vouchers.models import ApplicationWindow, Programme

from ..models import Application, Enterprise
from ..workflow import EventAction, Route, State
from .drafts import reference_next, refresh_estimate
from .transitions import application_lock, application_transition, timeline_add, transition_check


def _title(programme: Programme) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored data: in the portal's language
        return _("%(p)s（免申即享）") % {"p": programme.name_zh}


def application_file_auto(
    *,
    actor,
    enterprise: Enterprise,
    programme: Programme,
    window: ApplicationWindow,
    inputs: Mapping[str, Any],
    sources: Mapping[str, Any],
    title: str = "",
    ip: str | None = None,
) -> Application:
    """File a 免申 application of `enterprise` under `programme` in `window` with the `inputs` its facts
    give (`sources`: input → {value, source, period, fact_import}), then submit it as the system (actor
    None) on the enterprise's behalf. The filer is a bureau administrator of the programme's district."""
    require(may_run_auto_awards(actor), _("只有主管部门管理员可以办理免申即享。"))
    require_district(actor, programme.policy.district)
    if window.programme_id != programme.pk:
        raise ValidationError({"window": _("申报批次不属于该项目。")})
    with transaction.atomic():
        app = Application.objects.create(
            reference=reference_next(),
            enterprise=enterprise,
            programme=programme,
            window=window,
            state=State.DRAFT,
            route=Route.AUTO,
            created_by=actor,
            inputs=dict(inputs),
            input_sources=dict(sources),
            title=title or _title(programme),
            basis_date=basis_date(
                programme=programme, submitted_on=timezone.localdate(), period_end=None, window=window
            ),
        )
        refresh_estimate(app)
        app.save(update_fields=["estimate_amount", "estimate"])
        audit_record(
            actor=actor,
            action="application.create",
            target=app,
            ip=ip,
            after={
                "reference": app.reference,
                "programme": programme.code,
                "route": Route.AUTO,
                "sources": dict(sources),
            },
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.CREATE,
            to_state=State.DRAFT,
            message=_("主管部门根据企业档案数据生成免申即享申报"),
            data={"sources": dict(sources)},
        )
        return application_transition(
            actor=None,
            application=app,
            transition=EventAction.AUTO_SUBMIT,
            ip=ip,
            message=_("免申即享：申报数据取自企业档案（见数据来源），由系统代企业提交，无需企业提交材料。"),
        )


def application_auto_confirm(
    *, actor, application: Application | int, declaration: bool, account_label: str, ip: str | None = None
) -> Application:
    """The enterprise confirms its 免申 award: the declaration (承诺) that the facts are true and the
    receiving account the money goes to (`account_label`, recorded on the timeline). No change of state:
    the award continues through its notice; it becomes final only once confirmed."""
    if not declaration:
        raise ValidationError(
            {"declaration": _("请阅读并勾选承诺：企业档案中的数据真实、准确，同意按公示金额领取奖励。")}
        )
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition=EventAction.AUTO_DECLINE)  # the same who and when
        if app.route != Route.AUTO:
            raise ValidationError(_("该申报不是免申即享申报。"))
        if app.confirmed_at is not None:
            return app
        now = timezone.now()
        app.confirmed_at, app.declared_at, app.declared_by = now, now, actor
        app.save(update_fields=["confirmed_at", "declared_at", "declared_by", "updated_at"])
        audit_record(
            actor=actor,
            action="application.auto_confirm",
            target=app,
            ip=ip,
            after={"confirmed_at": now.isoformat(), "account": account_label},
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.AUTO_CONFIRM,
            message=_("企业确认领取，收款账户：%(a)s") % {"a": account_label},
        )
    return app
