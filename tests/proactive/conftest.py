"""Fixtures of the 免申即享 / 快申快享 tests: an enterprise with its owner (uploads are kept in the private storage
of tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.factories import EnterpriseFactory, member


@pytest.fixture
def firm(db):
    enterprise = EnterpriseFactory(name="广州快申科技有限公司")
    return enterprise, member(enterprise, email="owner@quick.example.cn")
