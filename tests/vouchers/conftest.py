"""Fixtures of the vouchers tests: the payment scene (tests/vouchers/payments_helpers.py)."""

from .payments_helpers import account_a, award_a, lump, second_admin, staged  # noqa: F401 - fixtures
