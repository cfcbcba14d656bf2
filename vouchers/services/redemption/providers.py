"""The district's compute service providers (算力服务商), kept by the administrators: the provider,
its members (the provider's users) and its declared relations with enterprises."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.limits import require_length
from portal.models import Role
from portal.permissions import require_bureau_admin

from ...models import ComputeProvider, ProviderMember, ProviderRelation
from .common import (
    _user,
)

PROVIDER_FIELDS = (
    "name",
    "credit_code",
    "services",
    "district",
    "contact_name",
    "contact_phone",
    "valid_from",
    "valid_to",
)


def provider_save(
    *, actor, provider: ComputeProvider | None = None, ip: str | None = None, **fields
) -> ComputeProvider:
    """Add a provider to the catalogue or change one (credit code, services, valid from/to)."""
    require_bureau_admin(actor)
    data = {k: v for k, v in fields.items() if k in PROVIDER_FIELDS}
    if "credit_code" in data:
        data["credit_code"] = "".join(str(data["credit_code"]).split()).upper()
    with transaction.atomic():
        obj = ComputeProvider.objects.select_for_update().get(pk=provider.pk) if provider else ComputeProvider()
        before = {k: str(getattr(obj, k)) for k in PROVIDER_FIELDS} if provider else None
        for k, v in data.items():
            setattr(obj, k, v)
        obj.full_clean()
        obj.save()
        audit_record(
            actor=actor,
            action="provider.update" if provider else "provider.create",
            target=obj,
            ip=ip,
            before=before,
            after={k: str(getattr(obj, k)) for k in PROVIDER_FIELDS},
        )
    return obj


def provider_member_link(*, actor, provider: ComputeProvider, user, ip: str | None = None) -> ProviderMember:
    """Link a provider user (Role.PROVIDER) to a provider of the catalogue."""
    require_bureau_admin(actor)
    if user.role != Role.PROVIDER:
        raise ValidationError({"email": _("该用户不是算力服务商角色，请先由管理员创建服务商账户。")})
    with transaction.atomic():
        if ProviderMember.objects.filter(user=user).exists():
            raise ValidationError({"email": _("该用户已关联到一家服务商。")})
        member = ProviderMember.objects.create(provider=provider, user=user)
        audit_record(
            actor=actor,
            action="provider.member_link",
            target=provider,
            ip=ip,
            after={"user": user.pk, "email": user.email},
        )
    return member


def provider_member_unlink(*, actor, member: ProviderMember, ip: str | None = None) -> None:
    require_bureau_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor, action="provider.member_unlink", target=member.provider, ip=ip, before={"user": member.user_id}
        )
        member.delete()


def provider_relation_declare(
    *, actor, provider: ComputeProvider, enterprise_credit_code: str, kind: str, note: str = "", ip: str | None = None
) -> ProviderRelation:
    """登记关联关系 between a provider and an enterprise (found by credit code)."""
    require_bureau_admin(actor)
    code = "".join((enterprise_credit_code or "").split()).upper()
    # the enterprise through the model ProviderRelation's foreign key names: its one declared reference
    enterprises = ProviderRelation._meta.get_field("enterprise").related_model._default_manager
    enterprise = enterprises.filter(credit_code=code).first()
    if enterprise is None:
        raise ValidationError({"enterprise_credit_code": _("平台中没有该统一社会信用代码的企业。")})
    if kind not in ProviderRelation.Kind.values:
        raise ValidationError({"kind": _("请选择关联类型。")})
    require_length(note, model=ProviderRelation, field="note")
    with transaction.atomic():
        relation, made = ProviderRelation.objects.get_or_create(
            provider=provider,
            enterprise_id=enterprise.pk,
            defaults={"kind": kind, "note": note, "declared_by": _user(actor)},
        )
        if not made:
            raise ValidationError({"enterprise_credit_code": _("已登记过该企业的关联关系。")})
        audit_record(
            actor=actor,
            action="provider.relation_declare",
            target=provider,
            ip=ip,
            after={"enterprise": enterprise.pk, "kind": kind, "note": note},
        )
    return relation


def provider_relation_remove(*, actor, relation: ProviderRelation, ip: str | None = None) -> None:
    require_bureau_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="provider.relation_remove",
            target=relation.provider,
            ip=ip,
            before={"enterprise": relation.enterprise_id, "kind": relation.kind},
        )
        relation.delete()
