"""One reservation path on every database (issue 13): the budget services are the ORM's conditional
updates with the constraints as backstop — no SQL text, no edits of a model's _state — and vouchers
reaches applications only through the relations applications declares; refusals read in the
reader's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from vouchers.services.budget import pool_set_amount

from .test_budget_helpers import make_app, reserve

VOUCHERS = Path(settings.BASE_DIR) / "vouchers"


def _sources(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in folder.rglob("*.py")
        if "migrations" not in p.parts
    }


def test_the_budget_services_write_sql_in_one_module_only_and_touch_no_model_state():
    """SQL text lives in statements.py alone (the same statements on every database, compared with
    the ORM's answers by test_budget_statements); no module branches on the database."""
    for name, text in _sources(VOUCHERS / "services" / "budget").items():
        sql = () if name == "statements.py" else ("cursor",)
        for shortcut in (*sql, ".raw(", "_state.", "vendor"):
            assert shortcut not in text, (name, shortcut)


def test_vouchers_looks_up_no_model_of_another_app():
    for name, text in _sources(VOUCHERS).items():
        assert "get_model(" not in text, name


@pytest.mark.django_db
def test_a_refusal_reads_in_english(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100")
    app = make_app(voucher, enterprise_a, owner_a)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        reserve(app, "100.01")
    assert "Not enough left in the 2026 budget pool" in info.value.messages[0]
    assert "100.01 yuan" in info.value.messages[0]
    with pytest.raises(ValidationError, match="资金池余额不足"):
        reserve(app, "100.01")
