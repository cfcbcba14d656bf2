"""API sign-in: POST /api/v1/auth/token/ gives the account's token for its e-mail (or username) and
password; staff accounts (reviewers, experts, administrators) also give their TOTP code when
PORTAL_STAFF_REQUIRE_2FA is on, as they do on the web. Failed attempts count towards the same
lockout as the sign-in form (django-axes sees the real request), and a locked account gets 429."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .audit import audit_record, client_ip


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="电子邮箱或用户名")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True,
                                       help_text="工作人员账户的6位动态验证码（TOTP）")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


def locked_out_detail() -> str:
    return _("登录失败次数过多，账户已被临时锁定30分钟。请稍后再试，或通过“忘记密码”重置密码。")


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="获取 API 令牌 (token for e-mail/username + password; staff: + TOTP code)",
                   request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["账户 accounts"])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        http = request._request  # django-axes reads (and marks) the Django request
        user = authenticate(request=http, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if getattr(http, "axes_locked_out", False):
            return Response({"detail": locked_out_detail()}, status=429)
        if user is None:
            raise ValidationError({"non_field_errors": [_("邮箱/用户名或密码不正确。")]})
        if settings.PORTAL_STAFF_REQUIRE_2FA and user.requires_second_factor:
            devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
            if not devices:
                raise PermissionDenied(_("工作人员账户须先在网页登录并完成两步验证（TOTP）设置，才能使用 API。"))
            code = data.validated_data.get("otp_token") or ""
            if not code:
                raise ValidationError({"otp_token": [_("工作人员账户须提供两步验证动态码（otp_token）。")]})
            if not any(device.verify_token(code) for device in devices):
                raise ValidationError({"otp_token": [_("两步验证动态码不正确或已过期。")]})
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action="auth.api_token", target=user, ip=client_ip(http))
        return Response({"token": token.key})
