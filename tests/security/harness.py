"""Machinery of the permission matrix: every URL pattern of the project (walked from the resolver at
test time, so a pattern added tomorrow is found), requests made as each member of the cast inside a
savepoint that is rolled back afterwards, the outcome of a response in the matrix's words, and a
snapshot of every table that matters to prove that a refusal changed nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.cast import ROLES

# ------------------------------------------------------------------ patterns

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Role aliases of the matrix's expectation strings.
ALIASES = {
    "A": ("owner_a", "agent_a"),
    "ENT": ("owner_a", "agent_a", "owner_b"),
    "REV": ("reviewer", "reviewer_other"),
    "STAFF": ("reviewer", "reviewer_other", "admin"),
    "TH": ("reviewer_th", "admin_th"),  # the Tianhe bureau: everything of the cast's A is Huangpu's
    "USERS": tuple(r for r in ROLES if r != "anon"),
}
# Outcomes: ok = allowed (2xx, 3xx elsewhere than the login page, or 400/409/422: allowed but the input was
# refused); login = sent to a login page; 401/403/404/405 = refused with that status; no = any refusal
# (login, 401, 403, 404, 405: the methods a view does not implement).
REFUSALS = ("login", "401", "403", "404", "405")
OUTCOMES = ("ok", *REFUSALS, "no")


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", the route for unnamed patterns, "admin:<app_label>" for the admin
    route: str
    kwargs: tuple[str, ...]
    api: bool
    methods: tuple[str, ...]  # the methods the view implements: the matrix must state who may use them

    def __str__(self) -> str:
        return f"{self.key} (/{self.route})"


def _drf_methods(callback) -> tuple[str, ...] | None:
    """The methods a DRF view implements (a ViewSet: its action map), or None for a plain view."""
    actions = getattr(callback, "actions", None)
    cls = getattr(callback, "cls", None)
    if cls is None:
        return None
    if actions:
        return tuple(m.upper() for m in actions if m.upper() in HTTP_METHODS)
    return tuple(
        m for m in HTTP_METHODS if m.lower() in getattr(cls, "http_method_names", []) and hasattr(cls, m.lower())
    )


def _route(pattern) -> str:
    return str(pattern.pattern)


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[tuple[str, str | None, object]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + _route(p), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if (namespace and p.name) else p.name
            yield prefix + _route(p), name, p


KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def project_patterns() -> list[Pattern]:
    """Every URL pattern of the project; the admin site counts as one entry per admin app."""
    out: dict[str, Pattern] = {}
    for route, name, p in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        kwargs = tuple(a or b for a, b in KWARG.findall(route))
        api = route.startswith("api/")
        drf = _drf_methods(p.callback)
        methods = tuple(m for m in HTTP_METHODS if m in set(drf if drf is not None else ("GET", "POST")))
        key = name or route
        if key in out:  # the same name twice (format suffixes): the first one counts
            continue
        out[key] = Pattern(key=key, route=route, kwargs=kwargs, api=api, methods=methods)
    for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
        key = f"admin:{app_label}"
        out[key] = Pattern(key=key, route=f"admin/{app_label}/", kwargs=(), api=False, methods=("GET", "POST"))
    return list(out.values())


def admin_urls(app_label: str) -> list[tuple[str, str]]:
    """(GET url, POST url) of every registered model of an admin app: the changelist and the add form."""
    from django.urls import reverse

    urls = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.model_name):
        if model._meta.app_label != app_label:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append((reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")))
    return urls


# ------------------------------------------------------------------ expectations


def parse_expectation(spec: str) -> dict[str, str]:
    """ "anon:login A:ok *:404" → {role: outcome} for every role of the cast. Later items win over
    earlier ones for the same role; `*` is every role not named before it."""
    result: dict[str, str] = {}
    for item in spec.split():
        who, _sep, outcome = item.partition(":")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r} in {spec!r}")
        roles: Iterable[str]
        if who == "*":
            roles = [r for r in ROLES if r not in result]
        else:
            roles = []
            for part in who.split(","):
                if part in ALIASES:
                    roles.extend(ALIASES[part])
                elif part in ROLES:
                    roles.append(part)
                else:
                    raise ValueError(f"unknown role {part!r} in {spec!r}")
        for r in roles:
            result[r] = outcome
    missing = [r for r in ROLES if r not in result]
    if missing:
        raise ValueError(f"{spec!r} says nothing about {', '.join(missing)}")
    return result


def outcome_of(response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response.get("Location", "")
        path = location.split("?")[0]
        login = resolve_url(settings.LOGIN_URL)
        if path.endswith(login) or path.endswith("/admin/login/"):
            return "login"
        return "ok"
    if 200 <= code < 300 or code in (400, 409, 422):
        return "ok"
    return str(code)


def summarize(observed: dict[str, str]) -> str:
    """{role: outcome} → the matrix's notation, e.g. "anon:login owner_a,agent_a:ok *:404"."""
    counts: dict[str, int] = {}
    for outcome in observed.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    common = max(counts, key=lambda o: counts[o])
    groups: dict[str, list[str]] = {}
    for role in ROLES:
        if observed.get(role) != common:
            groups.setdefault(observed[role], []).append(role)
    return " ".join([f"{','.join(roles)}:{o}" for o, roles in groups.items()] + [f"*:{common}"])


def matches(expected: str, observed: str) -> bool:
    if expected == "no":
        return observed in REFUSALS
    return expected == observed


# ------------------------------------------------------------------ snapshot

SKIP_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "django_admin_log"}
SNAPSHOT_APPS = ("portal", "applications", "vouchers", "reviews", "knox", "otp_totp", "auth")


def _models():
    for model in apps.get_models():
        if model._meta.app_label in SNAPSHOT_APPS and model._meta.db_table not in SKIP_TABLES and not model._meta.proxy:
            yield model


def snapshot() -> dict[str, str]:
    """A digest of every row of every table of the project's apps (and tokens, TOTP devices, users):
    one query on PostgreSQL, a walk through the rows elsewhere."""
    from django.db import connection

    models = list(_models())
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        parts = [
            f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.{qn(m._meta.pk.column)}), ''))"
            f" FROM {qn(m._meta.db_table)} t"
            for m in models
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), [m._meta.label for m in models])
            return {label: f"{n}:{digest[:16]}" for label, n, digest in cursor.fetchall()}
    out = {}
    for model in models:
        digest = hashlib.sha256()
        n = 0
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
            n += 1
        out[model._meta.label] = f"{n}:{digest.hexdigest()[:16]}"
    return out


def snapshot_diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [
        f"{label} {before.get(label)} → {after.get(label)}"
        for label in sorted(set(before) | set(after))
        if before.get(label) != after.get(label)
    ]


# ------------------------------------------------------------------ requests


@dataclass
class Session:
    """How each role signs in: a session cookie for pages, a token for the API."""

    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_cast(cls, cast) -> Session:
        s = cls()
        for role, user in cast.users.items():
            if user is None:
                continue
            c = Client()
            c.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
            s.cookies[role] = c.cookies[settings.SESSION_COOKIE_NAME].value
        s.tokens = dict(cast.tokens)
        return s

    def client(self, role: str, *, api: bool) -> tuple[Client, dict]:
        client = Client(raise_request_exception=False)
        extra: dict = {}
        if role != "anon":
            if api:
                extra["HTTP_AUTHORIZATION"] = f"Token {self.tokens[role]}"
            else:
                client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[role]
        return client, extra


@dataclass
class Observation:
    role: str
    method: str
    url: str
    outcome: str
    status: int
    changed: list[str]
    error: str = ""
    body: str = ""
    content_type: str = ""
    csp: str = ""


def request_as(
    session: Session,
    role: str,
    method: str,
    url: str,
    *,
    api: bool,
    data=None,
    baseline: dict[str, str] | None = None,
    json: bool = True,
    always_diff: bool = False,
) -> Observation:
    """Make one request as `role` inside a savepoint that is rolled back afterwards; with a baseline,
    report which tables the request changed (for refusals, or always)."""
    cache.clear()  # throttles and cached counts start afresh for every request
    client, extra = session.client(role, api=api)
    changed: list[str] = []
    with transaction.atomic():
        kwargs: dict = dict(extra)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            if api and json:
                kwargs.update(data=data or {}, content_type="application/json")
            else:
                kwargs.update(data=data or {})
        response = getattr(client, method.lower())(url, **kwargs)
        # A streamed answer is consumed through the client's wrapper, which closes it without closing the
        # database connection (response.close() would, and end the test's transaction on PostgreSQL).
        content = b"".join(response.streaming_content) if response.streaming else response.content
        outcome = outcome_of(response)
        error = ""
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            error = repr(exc[1]) if exc else response.content[:300].decode(errors="replace")
        if baseline is not None and (outcome in REFUSALS or always_diff):
            changed = snapshot_diff(baseline, snapshot())
        transaction.set_rollback(True)
    text = (
        content.decode(errors="replace")
        if response.get("Content-Type", "").startswith(("text/", "application/json"))
        else ""
    )
    return Observation(
        role=role,
        method=method,
        url=url,
        outcome=outcome,
        status=response.status_code,
        changed=changed,
        error=error,
        body=text,
        content_type=response.get("Content-Type", ""),
        csp=response.get("Content-Security-Policy", ""),
    )


# ------------------------------------------------------------------ content security policy


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_strict_csp(header: str) -> None:
    """No inline script or style, no eval, nothing from another origin."""
    d = csp_directives(header)
    assert d, "no Content-Security-Policy header"
    for directive in ("script-src", "style-src"):
        sources = d.get(directive) or d.get("default-src") or []
        assert sources, f"{directive} missing"
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, header
        assert all(s in ("'self'",) or s.startswith("'nonce-") for s in sources), header
    assert d.get("object-src") == ["'none'"] and d.get("frame-ancestors") == ["'none'"], header
