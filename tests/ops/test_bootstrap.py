"""manage.py bootstrap: migrates, loads the catalogue and collects static files; run twice, the
second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max

from portal.models import AuditEvent
from vouchers.models import ParameterValue, Policy, Programme

pytestmark = pytest.mark.django_db


def _state() -> dict[str, tuple[int, int | None]]:
    """Rows and the highest id of every table of the project."""
    out = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        qs = model._default_manager.all()
        out[model._meta.label] = (qs.count(), qs.aggregate(m=Max("pk"))["m"])
    return out


def _files(root) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


def test_bootstrap_twice_changes_nothing_the_second_time(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    first = io.StringIO()
    call_command("bootstrap", stdout=first)
    assert Policy.objects.exists() and Programme.objects.exists() and ParameterValue.objects.exists()
    assert "bootstrap done" in first.getvalue()
    assert (tmp_path / "static" / "admin").is_dir()  # collectstatic ran
    state, files = _state(), _files(tmp_path / "static")

    second = io.StringIO()
    call_command("bootstrap", stdout=second)
    assert _state() == state
    assert _files(tmp_path / "static") == files  # nothing copied again
    assert "0 rows written" in second.getvalue()


def test_bootstrap_without_static_files_and_the_hint_for_the_first_administrator(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    out = io.StringIO()
    call_command("bootstrap", "--no-static", stdout=out)
    assert not (tmp_path / "static").exists()
    assert "staff_create --email <address> --role sysadmin" in out.getvalue()
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()
