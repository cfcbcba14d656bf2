"""The standing cast: two enterprises (A and B) with their people, an assigned and an unassigned
reviewer, experts, a bureau administrator, a compute provider and an anonymous visitor."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from applications.models import EnterpriseMember
from portal.models import Role

from .factories import PASSWORD, EnterpriseFactory, UserFactory, member


def pytest_configure(config):
    """The compiled catalogues (.mo, not in git) are brought up to date once, before any test process
    reads them: under pytest-xdist the controller does it before the workers start, so no test (the
    bootstrap command's, the i18n tests') rewrites a catalogue another worker is loading."""
    if hasattr(config, "workerinput") or not shutil.which("msgfmt"):
        return
    for po in sorted((Path(__file__).resolve().parents[1] / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL; CI does)")
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _locmem_axes_reset(settings):
    settings.AXES_ENABLED = True


PASSWORD_TOO_SHORT = "This password is too short. It must contain at least %d character."


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """A test leaves the thread in the portal's language with its catalogue intact: what the same
    worker runs next (another test under pytest-xdist) must not read English by inheritance."""
    from django.conf import settings
    from django.utils import translation

    yield
    leaked = translation.get_language()
    with translation.override(settings.LANGUAGE_CODE):
        chinese = translation.ngettext(PASSWORD_TOO_SHORT, PASSWORD_TOO_SHORT + "s", 10)
    if leaked != settings.LANGUAGE_CODE:
        translation.deactivate()  # the next test starts clean whatever this one did
        pytest.fail(f"the test left the thread's language at {leaked!r}, not {settings.LANGUAGE_CODE!r}")
    if "太短" not in chinese:
        pytest.fail(f"after the test the portal's Chinese catalogue is not in force: {chinese!r}")


@pytest.fixture(autouse=True)
def _site_cache_forgotten():
    """What the site cache keeps for every page (the footer's units, who may use the admin site) is
    read afresh in each test: a test's rows are rolled back, its cached reads would outlive them."""
    from django.conf import settings
    from django.core.cache import cache

    from portal.permissions import MODEL_PERMISSIONS_VERSION
    from vouchers.site_selectors import SITE_UNITS_KEY

    cache.delete_many([f"{SITE_UNITS_KEY}:{code}" for code, _name in settings.LANGUAGES])
    cache.set(MODEL_PERMISSIONS_VERSION, uuid.uuid4().hex, None)


@pytest.fixture
def private_storage(settings, tmp_path) -> Path:
    """Uploads, letters and invoices stored in a private directory of this test (returned), so that
    'nothing left on disk' is checkable; a live server shares the settings. Directories whose every
    test stores files ask for it with an autouse fixture of their conftest or a module's pytestmark."""
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


@pytest.fixture
def catalogue(db):
    """The shipped catalogue (both policies, all programmes, their dated parameters)."""
    from vouchers.services.catalogue import catalogue_load

    catalogue_load()
    from vouchers.models import Programme

    from .approvals import ensure_default_chains

    ensure_default_chains()  # the migration's approval chains (a transactional test's flush removes them)

    return {p.code: p for p in Programme.objects.select_related("policy")}


@pytest.fixture
def enterprise_a(db):
    return EnterpriseFactory(name="广州甲智能科技有限公司")


@pytest.fixture
def enterprise_b(db):
    return EnterpriseFactory(name="广州乙数据服务有限公司")


@pytest.fixture
def owner_a(enterprise_a):
    return member(enterprise_a, EnterpriseMember.MemberRole.OWNER, email="owner-a@example.cn")


@pytest.fixture
def agent_a(enterprise_a):
    return member(enterprise_a, EnterpriseMember.MemberRole.AGENT, email="agent-a@example.cn")


@pytest.fixture
def owner_b(enterprise_b):
    return member(enterprise_b, EnterpriseMember.MemberRole.OWNER, email="owner-b@example.cn")


@pytest.fixture
def reviewer(db):
    return UserFactory(role=Role.REVIEWER, email="reviewer@example.cn")


@pytest.fixture
def reviewer_other(db):
    return UserFactory(role=Role.REVIEWER, email="reviewer2@example.cn")


@pytest.fixture
def expert(db):
    return UserFactory(role=Role.EXPERT, email="expert@example.cn")


@pytest.fixture
def experts(db):
    return [UserFactory(role=Role.EXPERT, email=f"expert{i}@example.cn") for i in range(1, 5)]


@pytest.fixture
def bureau_admin(db):
    return UserFactory(role=Role.BUREAU_ADMIN, email="admin@example.cn", is_staff=True)


@pytest.fixture
def reviewer_th(db):
    """A reviewer of Tianhe's bureau (所属区域 tianhe: th2024's programmes); the fixtures above are Huangpu's."""
    return UserFactory(role=Role.REVIEWER, email="reviewer-th@example.cn", district="tianhe")


@pytest.fixture
def bureau_admin_th(db):
    """The bureau administrator of Tianhe (th2024's programmes)."""
    return UserFactory(role=Role.BUREAU_ADMIN, email="admin-th@example.cn", is_staff=True, district="tianhe")


@pytest.fixture
def provider_user(db):
    return UserFactory(role=Role.PROVIDER, email="provider@example.cn")


@pytest.fixture
def client_for():
    """client_for(user) → a Client signed in as that user (None → anonymous)."""

    def make(user=None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
        return c

    return make


@pytest.fixture
def api_for():
    from rest_framework.test import APIClient

    def make(user=None) -> APIClient:
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return make


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


__all__ = ["PASSWORD"]
