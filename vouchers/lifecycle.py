"""A policy across its whole life: in force, expired but still taking final claims (清算批次) for
facts inside its validity, closed; and the basis date (测算基准日) an application is judged on.

One home for these date rules: the submission service, the decision, the window service and the
pages all ask here. An application is judged under the policy and the parameters in force on its
basis date — the end of the period its facts cover when it names one (上年度营业收入, costs
incurred), else the day it was submitted — never the day a reviewer decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ApplicationWindow, Policy, Programme


@dataclass(frozen=True)
class PolicyState:
    code: str  # "pending" / "in_force" / "claims" / "closed"
    label: str
    until: dt.date | None  # in force: valid_to; claims: the last claim window's closing day
    detail: str


STATE_LABELS = {
    "pending": gettext_lazy("尚未施行"),
    "in_force": gettext_lazy("有效"),
    "claims": gettext_lazy("已到期，受理清算申报"),
    "closed": gettext_lazy("已到期，停止受理"),
}


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def claim_windows(policy: Policy):
    return ApplicationWindow.objects.filter(programme__policy=policy, kind=ApplicationWindow.Kind.CLAIM)


def policy_state(policy: Policy, today: dt.date | None = None) -> PolicyState:
    """What a reader must know of the policy today: in force until its last day; after it,
    accepting final claims for its period until the last claim window closes; else closed."""
    today = today or timezone.localdate()
    period = {"start": policy.valid_from.isoformat(), "end": policy.valid_to.isoformat()}
    if today < policy.valid_from:
        return PolicyState(
            "pending", str(STATE_LABELS["pending"]), policy.valid_from, _("自 %(start)s 起施行。") % period
        )
    if today <= policy.valid_to:
        return PolicyState(
            "in_force", str(STATE_LABELS["in_force"]), policy.valid_to, _("有效期 %(start)s 至 %(end)s。") % period
        )
    last = claim_windows(policy).order_by("-closes_at").values_list("closes_at", flat=True).first()
    if last is not None and _local_day(last) >= today:
        until = _local_day(last)
        return PolicyState(
            "claims",
            str(STATE_LABELS["claims"]),
            until,
            _("政策已于 %(end)s 到期；%(until)s 前受理有效期内（%(start)s 至 %(end)s）事项的清算申报。")
            % {**period, "until": until.isoformat()},
        )
    return PolicyState(
        "closed",
        str(STATE_LABELS["closed"]),
        None,
        _("政策已于 %(end)s 到期，不再受理申报；已受理的申报继续按原政策办理。") % period,
    )


def accepts_new_applications(policy: Policy, today: dt.date | None = None) -> bool:
    """A draft may be opened while the policy is in force or a claim window is open or to come."""
    today = today or timezone.localdate()
    if today <= policy.valid_to:
        return True
    return claim_windows(policy).filter(closes_at__gt=timezone.now()).exists()


def basis_date(
    *, programme: Programme, submitted_on: dt.date, period_end: dt.date | None, window: ApplicationWindow | None = None
) -> dt.date:
    """The basis date of an application submitted on `submitted_on` (in `window`); raises
    ValidationError (field "period_end") when it falls outside the policy's validity."""
    policy = programme.policy
    period = {"start": policy.valid_from.isoformat(), "end": policy.valid_to.isoformat()}
    if period_end is not None and period_end > submitted_on:
        raise ValidationError(
            {
                "period_end": _("申报事项所属期间截止日（%(d)s）不能晚于提交日期（%(s)s）。")
                % {"d": period_end.isoformat(), "s": submitted_on.isoformat()}
            }
        )
    basis = period_end or submitted_on
    if policy.valid_from <= basis <= policy.valid_to:
        return basis
    if period_end is None and submitted_on > policy.valid_to:
        raise ValidationError(
            {
                "period_end": _(
                    "政策已于 %(end)s 到期：清算批次只受理政策有效期内（%(start)s 至 %(end)s）的事项，"
                    "请填写申报事项所属期间截止日（如上年度末 %(end)s）。"
                )
                % period
            }
        )
    raise ValidationError(
        {
            "period_end": _("测算基准日 %(d)s 不在政策有效期内（%(start)s 至 %(end)s）。")
            % {**period, "d": basis.isoformat()}
        }
    )


def window_check(*, programme: Programme, kind: str, opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    """Ordinary windows run inside the validity; a claim window (清算批次) is opened for the final
    claims once the policy has expired (it may open on its last day) and is the only kind that
    runs past it. Raises ValidationError with the reason."""
    policy = programme.policy
    period = {"start": policy.valid_from.isoformat(), "end": policy.valid_to.isoformat()}
    if kind not in ApplicationWindow.Kind.values:
        raise ValidationError({"kind": _("未知的批次类型。")})
    if _local_day(opens_at) < policy.valid_from:
        raise ValidationError({"opens_at": _("政策自 %(start)s 起施行，批次不能早于该日开始。") % period})
    if kind == ApplicationWindow.Kind.ORDINARY and _local_day(closes_at) > policy.valid_to:
        raise ValidationError(
            {
                "closes_at": _(
                    "政策有效期至 %(end)s，普通申报批次不能晚于该日截止；政策到期后受理有效期内事项，请开放“清算批次”。"
                )
                % period
            }
        )
    if kind == ApplicationWindow.Kind.CLAIM and _local_day(closes_at) <= policy.valid_to:
        raise ValidationError(
            {"kind": _("清算批次用于政策到期（%(end)s）后受理有效期内的事项，截止时间须晚于到期日。") % period}
        )
