"""API authentication classes (kept apart from portal.api: DRF imports these while it loads its views)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication. With staff two-factor login required, a staff account's token
    counts only once the account has enrolled its TOTP device; tokens are then issued against the
    TOTP code (portal.api_auth), so a password alone never opens the API to staff."""

    def authenticate_credentials(self, key):
        if not settings.PORTAL_STAFF_REQUIRE_2FA:
            return super().authenticate_credentials(key)
        from django.db.models import Exists, OuterRef
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # DRF's lookup with the enrolment read in the same query (one query per API request, not two)
        model = self.get_model()
        try:
            token = model.objects.select_related("user").annotate(totp_enrolled=Exists(
                TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True))).get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.user.is_staff_role and not token.totp_enrolled:
            raise exceptions.AuthenticationFailed(_("工作人员账户须先完成两步验证（TOTP）设置，才能使用 API。"))
        return token.user, token
