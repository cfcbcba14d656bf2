"""API sign-in: POST /api/v1/auth/token/ gives a new token for the account's e-mail (or username)
and password; staff accounts (reviewers, experts, administrators) also give their TOTP code when
PORTAL_STAFF_REQUIRE_2FA is on, as they do on the web. Failed attempts count towards the same
lockout as the sign-in form (django-axes sees the real request), and a locked account gets 429.
The token expires after settings.PORTAL_API_TOKEN_TTL; POST /api/v1/auth/logout/ revokes it, and
/api/v1/auth/logout-all/ every token of the account (portal.services_tokens)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .audit import client_ip
from .authentication import TokenAuthentication
from .services_tokens import TokenRevocation, api_token_issue, api_token_revoke, api_tokens_revoke_all


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="电子邮箱或用户名")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.RegexField(
        r"^\d{6}$", required=False, allow_blank=True, help_text="工作人员账户的6位动态验证码（TOTP）"
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="令牌只显示这一次；请求时放在 Authorization: Token <token>")
    expiry = serializers.DateTimeField(help_text="令牌失效时间")


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="已作废的令牌数")


def locked_out_detail() -> str:
    return _("登录失败次数过多，账户已被临时锁定30分钟。请稍后再试，或通过“忘记密码”重置密码。")


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="获取 API 令牌 (token for e-mail/username + password; staff: + TOTP code)",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        tags=["accounts"],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        http = request._request  # django-axes reads (and marks) the Django request
        user = authenticate(
            request=http, username=data.validated_data["username"], password=data.validated_data["password"]
        )
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
        instance, token = api_token_issue(user=user, ip=client_ip(http))
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class TokenRevokeView(APIView):
    """退出登录 sign out: the token of this request stops working."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="作废本令牌 (sign out: revoke the token of this request)",
        request=None,
        responses={200: RevokedSerializer},
        tags=["accounts"],
    )
    def post(self, request):
        api_token_revoke(token=request.auth, ip=client_ip(request))
        return Response({"revoked": 1})


class TokenRevokeAllView(APIView):
    """退出全部登录 sign out everywhere: every token of the account stops working."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="作废本账户的全部令牌 (sign out everywhere: revoke every token of the account)",
        request=None,
        responses={200: RevokedSerializer},
        tags=["accounts"],
    )
    def post(self, request):
        count = api_tokens_revoke_all(
            user=request.user, reason=TokenRevocation.SIGN_OUT_EVERYWHERE, actor=request.user, ip=client_ip(request)
        )
        return Response({"revoked": count})
