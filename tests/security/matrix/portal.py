"""The portal's own pages and API (home, accounts, inbox, the service pages of issue 17) and the
admin site."""

from __future__ import annotations

from .cases import (
    ADMIN_APP,
    ADMIN_LIST,
    API_ADMIN_LIST,
    API_SIGNED_IN,
    API_STAFF_LIST,
    PAGE_POST_405,
    PUBLIC,
    SIGNED_IN,
    Case,
    case,
    code,
    pk,
)

PORTAL: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ portal: home, accounts, inbox
    "home": [case(GET=PUBLIC, POST=PUBLIC)],
    "healthz": [case(GET=PUBLIC, POST="*:405")],
    "readyz": [case(GET=PUBLIC, POST="*:405")],
    # Prometheus metrics: only with PORTAL_METRICS_TOKEN or from PORTAL_METRICS_ALLOWED_IPS (none in tests)
    "metrics": [case(GET="*:403", POST="*:405")],
    "register": [case(GET=PUBLIC, POST=PUBLIC)],
    "confirm_email": [case(lambda c: {"token": "not-a-token"}, GET=PUBLIC, POST=PUBLIC)],
    "login": [case(GET=PUBLIC, POST=PUBLIC)],
    "logout": [case(GET="*:405", POST=PUBLIC)],
    "password_change": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "password_change_done": [case(GET=SIGNED_IN, POST=PAGE_POST_405)],
    "password_reset": [case(GET=PUBLIC, POST=PUBLIC)],
    "password_reset_done": [case(GET=PUBLIC, POST="*:405")],
    "password_reset_confirm": [case(lambda c: {"uidb64": "MQ", "token": "set-password"}, GET=PUBLIC, POST=PUBLIC)],
    "password_reset_complete": [case(GET=PUBLIC, POST="*:405")],
    "otp_setup": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "otp_verify": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    # 统一身份认证 (OpenID Connect): not there unless OIDC_ENABLED (tests/portal/test_oidc*.py run the flow)
    "oidc_authentication_init": [case(GET="*:404", POST="*:405")],
    "oidc_authentication_callback": [case(GET="*:404", POST="*:405", query="code=x&state=y")],
    "inbox": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "inbox_read": [case(pk("notification"), GET="anon:login USERS:405", POST="anon:login owner_a:ok *:404")],
    "set_language": [case(GET=PUBLIC, POST=PUBLIC, data=lambda c: {"language": "en", "next": "/"})],
    # ------------------------------------------------------------------ API: accounts
    "api-me": [case(GET=API_SIGNED_IN)],
    "api-token": [case(POST=PUBLIC, data=lambda c: {"username": "owner-a@example.cn", "password": "wrong"})],
    # signing out revokes the token the request came with (or all the account's): a token is needed
    "api-token-revoke": [case(POST="anon:401 *:ok")],
    "api-token-revoke-all": [case(POST="anon:401 *:ok")],
    "api-schema": [case(GET=PUBLIC)],
    "api-docs": [case(GET=PUBLIC)],
    "api-calendar": [case(GET=PUBLIC, query="year=2027")],
    # the bureau's people by id (to name a reviewer or experts): bureau staff only
    "api-staff": [case(GET=API_STAFF_LIST, query="role=expert")],  # each district's own people
    # ------------------------------------------------------------------ service pages (issue 17)
    "workbench": [case(GET=SIGNED_IN, POST="*:405")],
    "reviews:guide_search": [case(GET=PUBLIC, POST="*:405", query="q=算力")],
    "reviews:programme_guide": [case(code, GET=PUBLIC, POST="*:405")],
    "reviews:material_template": [
        case(lambda c: {"code": c.standard.code, "material": "credit_commitment"}, GET=PUBLIC, POST="*:405")
    ],
    "api-guide": [case(code, GET=PUBLIC)],
    # 好差评: the applying enterprise, once its application has ended; administrators see the ratings
    "reviews:rating_new": [
        case(
            pk("a_approved"),
            GET="anon:login A:ok owner_b:404 STAFF:403 *:404",
            POST="anon:login A:ok owner_b:404 STAFF:403 *:404",
            data=lambda c: {"score": "4", "step": "overall", "comment": "办理顺利"},
        )
    ],
    "reviews:ratings_admin": [case(GET=ADMIN_LIST, POST="anon:login USERS:405")],
    "api-ratings-summary": [case(GET=API_ADMIN_LIST)],
    "vouchers:provider_directory": [case(GET=PUBLIC, POST="*:405")],
    "reviews:letter_verify": [case(lambda c: {"code": c.letter.code}, GET=PUBLIC, POST=PUBLIC)],
    # ------------------------------------------------------------------ the admin site (one entry per app)
    "admin:applications": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:auth": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:axes": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:knox": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:otp_static": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:otp_totp": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:portal": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:reviews": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:vouchers": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
}
