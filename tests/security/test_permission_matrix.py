"""The permission matrix: every URL pattern of the project (found from the resolver at test time)
against the whole cast, with the outcome tests/security/matrix/ expects, for GET, POST and the
other methods an API endpoint implements. Every refusal must leave every table as it was (rows and
values, the audit trail included), every HTML answer carries the strict content security policy,
and no outsider sees enterprise A's applications. A pattern without an entry fails with its name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cast import ROLES

from .harness import (
    HTTP_METHODS,
    REFUSALS,
    Pattern,
    admin_urls,
    assert_strict_csp,
    matches,
    parse_expectation,
    project_patterns,
    request_as,
    summarize,
)
from .matrix import MATRIX, Case

pytestmark = pytest.mark.django_db

PATTERNS = {p.key: p for p in project_patterns()}
KEYS = sorted(set(PATTERNS) | set(MATRIX))


def test_every_url_pattern_has_an_entry_in_the_matrix():
    missing = sorted(set(PATTERNS) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(PATTERNS))
    assert not missing, "URL patterns without an entry in tests/security/matrix/ (say who may do what): " + ", ".join(
        str(PATTERNS[k]) for k in missing
    )
    assert not stale, "entries of tests/security/matrix/ for patterns that no longer exist: " + ", ".join(stale)


def _url(pattern: Pattern, case: Case, world) -> str:
    kwargs = case.kwargs(world.cast) if case.kwargs else {}
    assert set(kwargs) == set(pattern.kwargs), (
        f"{pattern}: the case gives {sorted(kwargs)}, the URL needs {sorted(pattern.kwargs)}"
    )
    name = pattern.key if not pattern.key.startswith(("api/", "^")) else None
    if name is None:
        raise AssertionError(f"{pattern}: unnamed patterns cannot be reversed; name it in its urls.py")
    url = reverse(name, kwargs=kwargs)
    return url + (f"?{case.query}" if case.query else "")


# Who must never see enterprise A's applications: the public, enterprise B, the expert (who sits on
# B's panel only), the compute provider, and the Tianhe bureau (A's applications are all Huangpu's).
OUTSIDERS = ("anon", "owner_b", "expert", "provider", "reviewer_th", "admin_th")


def _references_of_a(world) -> list[str]:
    from applications.models import Application

    return list(Application.objects.filter(enterprise=world.cast.enterprise_a).values_list("reference", flat=True))


def _check_case(pattern: Pattern, case: Case, world, problems: list[str]) -> None:
    label = f"{pattern.key}{f' [{case.label}]' if case.label else ''}"
    unstated = [m for m in pattern.methods if m not in case.expect]
    if unstated:
        problems.append(f"{label}: no expectation for {', '.join(unstated)} (the view answers it)")
        return
    # The methods the view implements, and GET and POST (DELETE too for the API) in any case: those it
    # does not implement must be refused to everyone unless the entry says otherwise.
    methods = [
        m
        for m in HTTP_METHODS
        if m in pattern.methods or m in case.expect or m in ("GET", "POST") or (pattern.api and m == "DELETE")
    ]
    for method in methods:
        expected = parse_expectation(case.expect.get(method, "*:no"))
        if pattern.key.startswith("admin:"):
            urls = [get if method == "GET" else add for get, add in admin_urls(pattern.key.split(":", 1)[1])]
        else:
            urls = [_url(pattern, case, world)]
        for url in urls:
            observed: dict[str, str] = {}
            wrong: list[str] = []
            for role in ROLES:
                data = case.data.get(method)
                body = data(world.cast) if data else None
                obs = request_as(
                    world.session,
                    role,
                    method,
                    url,
                    api=pattern.api,
                    data=body,
                    baseline=world.baseline,
                    json=not case.multipart,
                )
                observed[role] = obs.outcome
                if obs.status >= 500:
                    problems.append(f"{label} {method} {url} as {role}: {obs.status} {obs.error}")
                elif not matches(expected[role], obs.outcome):
                    wrong.append(f"{role} expected {expected[role]}, got {obs.outcome} ({obs.status})")
                if obs.content_type.startswith("text/html"):
                    try:
                        assert_strict_csp(obs.csp)
                    except AssertionError as exc:
                        problems.append(f"{label} {method} {url} as {role}: content security policy: {exc}")
                if role in OUTSIDERS and obs.body:
                    leaked = [ref for ref in _references_of_a(world) if ref in obs.body]
                    if leaked:
                        problems.append(
                            f"{label} {method} {url} as {role}: shows enterprise A's application(s) {', '.join(leaked)}"
                        )
                if obs.outcome in REFUSALS and obs.changed:
                    problems.append(
                        f"{label} {method} {url} as {role}: refused ({obs.status}) but changed "
                        + "; ".join(obs.changed)
                    )
            if wrong:
                problems.append(
                    f"{label} {method} {url}: " + "; ".join(wrong) + f'\n    observed: {method}="{summarize(observed)}"'
                )


@pytest.mark.parametrize("key", KEYS)
def test_matrix(key, world):
    if key not in MATRIX:
        pytest.fail(f"{PATTERNS[key]} has no entry in tests/security/matrix/")
    if key not in PATTERNS:
        pytest.fail(f"tests/security/matrix/ has an entry for {key}, which is no URL pattern any more")
    problems: list[str] = []
    for case in MATRIX[key]:
        _check_case(PATTERNS[key], case, world, problems)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the harness itself


def test_a_change_on_a_refusal_would_be_seen(world):
    from django.db import transaction

    from applications.models import Application

    from .harness import snapshot, snapshot_diff

    with transaction.atomic():
        Application.objects.filter(pk=world.cast.a_draft.pk).update(title="changed")
        diff = snapshot_diff(world.baseline, snapshot())
        transaction.set_rollback(True)
    assert diff and diff[0].startswith("applications.Application ")
    assert snapshot_diff(world.baseline, snapshot()) == []


def test_a_wrong_expectation_is_reported(world):
    problems: list[str] = []
    wrong = Case(kwargs=lambda c: {"pk": c.a_draft.pk}, expect={"GET": "*:ok", "POST": "*:ok"})
    _check_case(PATTERNS["applications:detail"], wrong, world, problems)
    assert any("owner_b expected ok, got 404" in p for p in problems), problems
    assert any(
        'observed: GET="anon:login owner_a,agent_a,reviewer,reviewer_other,admin:ok *:404"' in p
        or "observed: GET=" in p
        for p in problems
    )


def test_the_leak_check_sees_references_where_they_are_shown(world):
    from .harness import request_as

    obs = request_as(world.session, "owner_a", "GET", reverse("applications:dashboard"), api=False)
    assert world.cast.a_draft.reference in obs.body and set(_references_of_a(world)) >= {world.cast.a_draft.reference}
