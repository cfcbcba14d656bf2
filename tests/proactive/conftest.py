"""Fixtures of the 免申即享 / 快申快享 tests: uploads kept in a private storage of the test, and an enterprise
with its owner."""

from __future__ import annotations

import pytest

from tests.factories import EnterpriseFactory, member


@pytest.fixture
def private_storage(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def firm(db):
    enterprise = EnterpriseFactory(name="广州快申科技有限公司")
    return enterprise, member(enterprise, email="owner@quick.example.cn")
