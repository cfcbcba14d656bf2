"""Settings shared by every environment. Everything that differs between machines comes from the
environment (one helper, django-environ); the defaults run on one machine with nothing else
installed: SQLite, tasks executed in-process, e-mail printed to the console."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("PORTAL_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: hashed, expiring (portal.authentication)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes of staff (manage.py staff_create, staff_otp_reset)
    "django_prometheus",
    "portal",
    "vouchers",
    "applications",
    "reviews",
    "proactive",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.middleware.RequestIdMiddleware",  # X-Request-ID, and the id and user on every log line
    "portal.middleware.TrustedProxyMiddleware",  # the client's address (PORTAL_TRUSTED_PROXIES)
    "portal.middleware.RequestSizeLimitMiddleware",  # 413 for a body over the limits, before it is read
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "portal.middleware.RejectNullCharactersMiddleware",  # PostgreSQL refuses NUL: 400, not 500
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite by default; DATABASE_URL=postgres://… switches to PostgreSQL through psycopg 3.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The list indexes that carry extra columns for PostgreSQL's index-only scans (INCLUDE) are plain
    # indexes on SQLite, which Django says on every command (models.W040): expected on the embedded default.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
# 统一身份认证: OpenID Connect sign-in (portal.oidc), off unless OIDC_ENABLED. The backend that signs
# the person in also links the enterprise the provider asserts (applications.identity).
OIDC_AUTHENTICATION_BACKEND = env.str(
    "OIDC_AUTHENTICATION_BACKEND", default="applications.identity.EnterpriseOIDCBackend"
)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.backends.EmailOrUsernameBackend",
    OIDC_AUTHENTICATION_BACKEND,  # answers only the OIDC callback, and only when OIDC_ENABLED
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"  # each role its own starting page (portal.views_workbench)
LOGOUT_REDIRECT_URL = "home"

# Lockout after repeated failed logins (django-axes): 5 failures per username+IP → 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per account whatever the spelling of its e-mail (case, spaces) or its username.
AXES_USERNAME_CALLABLE = "portal.backends.lockout_key"
AXES_LOCKOUT_CALLABLE = "portal.errors.lockout"  # JSON under /api/, the lockout page elsewhere
AXES_CLIENT_IP_CALLABLE = "portal.audit.client_ip"  # the one client address (PORTAL_TRUSTED_PROXIES)

# 统一身份认证 OpenID Connect (广东政务服务网 / 粤商通 unified identity; mozilla-django-oidc, portal.oidc):
# a "使用粤商通/广东政务服务网登录" button on the sign-in page. The endpoints are those of the provider's
# discovery document (<issuer>/.well-known/openid-configuration); the portal's redirect URI to register
# with the provider is <PORTAL_SITE_URL>/accounts/oidc/callback/. Authorization code flow with PKCE
# (S256), state and nonce; ID tokens signed with OIDC_RP_SIGN_ALGO by a key of the provider's JWKS.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile email phone")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_VERIFY_SSL = env.bool("OIDC_VERIFY_SSL", default=True)
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_AUTHENTICATE_CLASS = "portal.oidc.OIDCSignInView"
OIDC_CALLBACK_CLASS = "portal.oidc.OIDCCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "login"
# The provider's claim keys: of the person, and of an enterprise identity (统一社会信用代码, 企业名称,
# 法定代表人) that the provider asserts for an enterprise's account.
OIDC_CLAIM_EMAIL = env.str("OIDC_CLAIM_EMAIL", default="email")
OIDC_CLAIM_EMAIL_VERIFIED = env.str("OIDC_CLAIM_EMAIL_VERIFIED", default="email_verified")
OIDC_CLAIM_NAME = env.str("OIDC_CLAIM_NAME", default="name")
OIDC_CLAIM_PHONE = env.str("OIDC_CLAIM_PHONE", default="phone_number")
OIDC_CLAIM_CREDIT_CODE = env.str("OIDC_CLAIM_CREDIT_CODE", default="uscc")
OIDC_CLAIM_ENTERPRISE_NAME = env.str("OIDC_CLAIM_ENTERPRISE_NAME", default="enterprise_name")
OIDC_CLAIM_LEGAL_REPRESENTATIVE = env.str("OIDC_CLAIM_LEGAL_REPRESENTATIVE", default="legal_representative")
# The provider's name as the bureau sees it on an enterprise it verified (applications.identity).
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="粤商通")

# Staff (reviewers, experts, administrators) must pass TOTP in production.
PORTAL_STAFF_REQUIRE_2FA = env.bool("PORTAL_STAFF_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "广州AI产业补贴券平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence and letters are private: never under STATIC or a public MEDIA_URL.
PRIVATE_STORAGE_ROOT = Path(env.str("PORTAL_PRIVATE_STORAGE", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PORTAL_UPLOAD_MAX_FILE_BYTES = env.int("PORTAL_UPLOAD_MAX_FILE_BYTES", default=20 * 1024 * 1024)
PORTAL_UPLOAD_MAX_APPLICATION_BYTES = env.int("PORTAL_UPLOAD_MAX_APPLICATION_BYTES", default=100 * 1024 * 1024)
# 快申快享: the promised payment date, in working days from submission (免申: from publication), for a
# programme without its own parameter payment_promise_workdays; and how many working days before it an
# unpaid application shows as at risk on the administrators' dashboard.
PORTAL_PAYMENT_PROMISE_WORKDAYS = env.int("PORTAL_PAYMENT_PROMISE_WORKDAYS", default=60)
PORTAL_PAYMENT_AT_RISK_WORKDAYS = env.int("PORTAL_PAYMENT_AT_RISK_WORKDAYS", default=10)

# E-mail: console in development, SMTP by settings.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@ai-vouchers.example.cn")

# Redis: REDIS_URL switches Celery to a real broker and the cache to Redis.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # With Redis down, queuing fails within about a second (the caller falls back: portal.notifications)
    # instead of retrying while the user waits.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
    # portal.cache: Redis down is a cache miss, never an error page
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Without a broker, when the work asked for at commit runs (portal.outbox): "background" on this
# process's worker thread after the response (a letter's PDF never holds up the page), "inline" at
# commit inside the request, "deferred" only when outbox_run_pending() is called.
PORTAL_EAGER_TASKS = env.str("PORTAL_EAGER_TASKS", default="background")
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TASK_SERIALIZER = "json"
# No result backend: nothing reads a task's return value (the work is in the database; a letter's
# state is the letter's row), so results are neither stored nor waited for.
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING below (JSON)
CELERY_WORKER_SEND_TASK_EVENTS = False
# Beat writes its heartbeat as it ticks (portal.health); a tick at least every 30 s keeps it fresh.
CELERY_BEAT_SCHEDULER = "portal.celery:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
# A worker or beat whose heartbeat is older than this is taken for gone (/readyz, heartbeat_check).
PORTAL_HEARTBEAT_STALE_SECONDS = env.int("PORTAL_HEARTBEAT_STALE_SECONDS", default=90)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "public-notices-close": {"task": "reviews.tasks.public_notices_close_due", "schedule": crontab(minute="*/15")},
    "auto-awards-due": {"task": "proactive.tasks.auto_awards_due_task", "schedule": crontab(hour=8, minute=45)},
    "deadline-reminders": {"task": "reviews.tasks.deadline_reminders_send", "schedule": crontab(hour=8, minute=30)},
    "vouchers-expire": {"task": "vouchers.tasks.vouchers_expire_due", "schedule": crontab(hour=1, minute=0)},
    "letters-generate-pending": {
        "task": "reviews.letters.tasks.letters_generate_pending",
        "schedule": crontab(minute="*/30"),
    },
    "notifications-email-pending": {
        "task": "portal.tasks.notifications_email_pending",
        "schedule": crontab(minute="*/10"),
    },
    # a window that opened on its own schedule is matched and its notices sent within the hour
    "proactive-matching": {"task": "proactive.tasks.matching_run_task", "schedule": crontab(minute=5)},
}

# Review deadlines in working days (工作日, portal.workdays): the return for supplement is made within
# 5 of submission (一次性告知) and the supplement is due 5 after it; public notice (公示) runs 7;
# each objection is answered within 5. Expert and bureau stages have deadlines the bureau may tune.
REVIEWS_WORKDAYS = {
    "formal_review": env.int("REVIEWS_FORMAL_REVIEW_WORKDAYS", default=5),
    "supplement": env.int("REVIEWS_SUPPLEMENT_WORKDAYS", default=5),
    "expert_review": env.int("REVIEWS_EXPERT_REVIEW_WORKDAYS", default=10),
    "bureau_review": env.int("REVIEWS_BUREAU_REVIEW_WORKDAYS", default=10),
    "notice": env.int("REVIEWS_NOTICE_WORKDAYS", default=7),
    "objection": env.int("REVIEWS_OBJECTION_WORKDAYS", default=5),
}
REVIEWS_MIN_EXPERTS = env.int("REVIEWS_MIN_EXPERTS", default=3)
# 政策找企业: matching reruns in the background when facts, parameters or windows change.
PROACTIVE_MATCH_ON_CHANGE = env.bool("PROACTIVE_MATCH_ON_CHANGE", default=True)
# Long lists (the review queue) count their total once per this many seconds per list and actor,
# not on every request (portal.pagination); the rows are always current. 0 = count every time.
PORTAL_LIST_COUNT_SECONDS = env.int("PORTAL_LIST_COUNT_SECONDS", default=30)

# API tokens (django-rest-knox): only a digest is stored; each token expires after this long and is
# revoked by signing out (POST /api/v1/auth/logout/), a password change or reset, deactivation.
PORTAL_API_TOKEN_TTL = timedelta(hours=env.float("PORTAL_API_TOKEN_TTL_HOURS", default=10))
REST_KNOX = {"TOKEN_TTL": PORTAL_API_TOKEN_TTL, "AUTO_REFRESH": False, "AUTH_HEADER_PREFIX": "Token"}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.authentication.TokenAuthentication",  # knox's; staff tokens need an enrolled TOTP device
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.DefaultPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # JSON nested too deep is a 400 (portal.parsers), never a RecursionError and a 500
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles count per REMOTE_ADDR (the client's address by PORTAL_TRUSTED_PROXIES:
    # portal.middleware), never per a client-supplied X-Forwarded-For.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    # ASCII: generated clients take their package name from the title (gz-ai-vouchers-client)
    "TITLE": "GZ AI Vouchers",
    "DESCRIPTION": "广州人工智能产业补贴券平台 API — Guangzhou AI-industry subsidy voucher portal API (v1). "
    "Request bodies are JSON, multipart/form-data where a file is sent.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationWindowKindEnum": "vouchers.models.ApplicationWindow.Kind",
        "DistrictEnum": "applications.models.District",
        "IndustryEnum": "applications.models.Industry",
        "PreApprovalStateEnum": "applications.models.PreApproval.State",
        "ApplicationStateEnum": "applications.workflow.State",
        # 实名核验 (applications.models_verification)
        "VerificationRequestStateEnum": "applications.models.RequestState",
        "EligibilityFactEnum": "applications.models.EligibilityFact",
        "FactSourceEnum": "applications.models.FactSource",
        "VerificationStateEnum": "applications.models.VerificationState",
        "VerifiedViaEnum": "applications.models.VerifiedVia",
        # payments (vouchers.models.payments)
        "ReceivingAccountStatusEnum": "vouchers.models.ReceivingAccount.Status",
        "PaymentTrancheStatusEnum": "vouchers.models.PaymentTranche.Status",
        "AcceptanceReportStatusEnum": "vouchers.models.AcceptanceReport.Status",
        "PaymentBatchStatusEnum": "vouchers.models.PaymentBatch.Status",
        "PaymentLineStatusEnum": "vouchers.models.PaymentLine.Status",
        "ClawbackStatusEnum": "vouchers.models.Clawback.Status",
        "EventActionEnum": "applications.workflow.EventAction",
    },
    # tags are ASCII (generated clients make module names of them), the Chinese is in their description
    "TAGS": [
        {"name": name, "description": description}
        for name, description in (
            ("accounts", "账户 accounts: API tokens"),
            ("applications", "申报 applications"),
            ("enterprises", "企业 enterprises"),
            ("verification", "实名核验 verification"),
            ("pre-approvals", "事前同意 pre-approvals"),
            ("programmes", "申报项目 programmes"),
            ("windows", "申报批次 application windows"),
            ("budget", "资金池 budget pools"),
            ("reviews", "评审 reviews"),
            ("letters", "正式文书 official letters"),
            ("parties", "合作方 two-party awards"),
            ("vouchers", "补贴券 vouchers"),
            ("redemptions", "核销 redemptions"),
            ("payments", "拨付 payments"),
            ("calendar", "工作日历 working-day calendar"),
            ("me", "当前用户 the signed-in user"),
            ("staff", "工作人员 staff"),
            ("proactive", "政策找企业 proactive: enterprise facts (一企一档), matching, 免申即享"),
        )
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema_error_responses",
        "portal.schema.one_request_media_type",
        "portal.schema.client_names",
    ],
}

# Content security policy (django-csp 4): no inline script anywhere, everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# The portal's own reverse proxies (docker-compose.yml, deploy/nginx): their addresses or networks.
# Only a request from one of them has its X-Forwarded-For (or X-Real-IP) taken for the client's
# address (portal.middleware.client_address); the one rule for the audit trail, the lockout and the
# throttles. Empty: the connection's address, whatever the headers say.
PORTAL_TRUSTED_PROXIES = env.list("PORTAL_TRUSTED_PROXIES", default=[])

# Prometheus metrics at /metrics (django-prometheus, portal.metrics): answered to a request bearing
# `Authorization: Bearer <PORTAL_METRICS_TOKEN>` or coming from one of PORTAL_METRICS_ALLOWED_IPS
# (addresses or networks); to nobody when neither is set.
PORTAL_METRICS_TOKEN = env.str("PORTAL_METRICS_TOKEN", default="")
PORTAL_METRICS_ALLOWED_IPS = env.list("PORTAL_METRICS_ALLOWED_IPS", default=[])
# Collectors of the apps' own figures, called at each scrape (each returns Prometheus metric families).
PORTAL_METRICS_COLLECTORS = ["reviews.letters.metrics.letters_by_status"]

# Logs: one JSON object a line (time, level, logger, message, request_id, user_id: portal.logging);
# LOG_FORMAT=text for a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "portal.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Public-facing names, shown in headers and letters.
PORTAL_NAME = _("广州人工智能产业补贴券平台")
# The site footer's contact (咨询电话, 地址, 服务时间) as the operating bureau publishes it: set by
# the deployment, empty (not shown) until then. 主办单位 and 受理单位 come from the catalogue.
PORTAL_SERVICE_CONTACT = {
    "phone": env.str("PORTAL_SERVICE_PHONE", default=""),
    "address": env.str("PORTAL_SERVICE_ADDRESS", default=""),
    "hours": env.str("PORTAL_SERVICE_HOURS", default=""),
    "email": env.str("PORTAL_SERVICE_EMAIL", default=""),
}
# Optional PAdES signature of official letters with the bureau's PKCS#12 certificate (path and password).
PORTAL_LETTER_SIGNING_P12 = env.str("PORTAL_LETTER_SIGNING_P12", default="")
PORTAL_LETTER_SIGNING_PASSWORD = env.str("PORTAL_LETTER_SIGNING_PASSWORD", default="")
AXES_VERBOSE = False
