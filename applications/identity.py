"""统一身份认证 for enterprises: portal.oidc's OpenID Connect backend, extended with what only this app
knows — an enterprise identity the provider asserts (统一社会信用代码, 企业名称, 法定代表人; claim keys
settings.OIDC_CLAIM_*) counts as verified, through applications.verification.enterprise_claim_asserted.
Named by settings.OIDC_AUTHENTICATION_BACKEND (portal imports nothing of this app).

The person is signed in first (portal.services_identity); the enterprise is linked after, in its own
transaction: an assertion the enterprise service refuses (an invalid code, a code another owner holds,
a user of another enterprise) leaves the person signed in and says why, as the register page would."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from portal.audit import client_ip
from portal.models import User
from portal.oidc import PortalOIDCBackend, claim

from .verification_asserted import enterprise_claim_asserted


class EnterpriseOIDCBackend(PortalOIDCBackend):
    def identity_asserted(self, *, user: User, claims: dict) -> None:
        credit_code = claim(claims, "OIDC_CLAIM_CREDIT_CODE")
        if not credit_code:  # a person's identity, no enterprise asserted
            return
        name = claim(claims, "OIDC_CLAIM_ENTERPRISE_NAME")
        try:
            done = enterprise_claim_asserted(
                user=user,
                credit_code=credit_code,
                name=name,
                legal_representative=claim(claims, "OIDC_CLAIM_LEGAL_REPRESENTATIVE"),
                source=settings.OIDC_PROVIDER_NAME,
                ip=client_ip(self.request),
            )
        except (ValidationError, PermissionDenied) as exc:
            reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            messages.warning(
                self.request,
                _("已登录，但统一身份认证提供的企业身份未能关联：%(why)s")
                % {"why": "；".join(str(r).rstrip("。") for r in reasons) + "。"},
            )
            return
        if done.message:
            messages.warning(self.request, done.message)
        elif done.membership is not None:
            messages.success(
                self.request, _("已按统一身份认证关联企业“%(name)s”，企业身份已核验。") % {"name": done.enterprise.name}
            )
