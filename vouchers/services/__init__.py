"""Writes of the vouchers app: the catalogue (catalogue.py), budget pools and their ledger
(budget/), issued vouchers and their redemption (redemption/)."""
