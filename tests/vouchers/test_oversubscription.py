"""The oversubscription remedies (vouchers.oversubscription) against hand-computed case tables
(tests/vouchers/oversubscription_cases.yaml; the calculator's tables are in cases/). Pure: no database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from vouchers.oversubscription import Request, Room, remedies

CASES = yaml.safe_load((Path(__file__).parent / "oversubscription_cases.yaml").read_text(encoding="utf-8"))


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    room = Room(
        pool=_d(case["room"]["pool"]),
        programme_total=_d(case["room"].get("programme_total")),
        quota=case["room"].get("quota"),
    )
    requests = [
        Request(application_id=r["id"], amount=_d(r["amount"]), score=_d(r.get("score"))) for r in case["requests"]
    ]
    out = remedies(requests, room)
    expect = case["expect"]
    for figure in ("available", "requested"):
        if figure in expect:
            assert out[figure] == _d(expect[figure]), figure
    if "oversubscribed" in expect:
        assert out["oversubscribed"] is expect["oversubscribed"]
    if "rank" in expect:
        got = [(r["application_id"], r["awarded"], r["outcome"]) for r in out["rank"]["rows"]]
        assert got == [(r["id"], _d(r["awarded"]), r["outcome"]) for r in expect["rank"]]
        assert [r["rank"] for r in out["rank"]["rows"]] == list(range(1, len(got) + 1))
    if "rank_total" in expect:
        assert out["rank"]["total"] == _d(expect["rank_total"])
    if "pro_rata" in expect:
        want = expect["pro_rata"]
        got = {r["application_id"]: r["awarded"] for r in out["pro_rata"]["rows"]}
        assert got == {k: _d(v) for k, v in want["awarded"].items()}
        if "ratio" in want:
            assert out["pro_rata"]["ratio"] == _d(want["ratio"])
        if "total" in want:
            assert out["pro_rata"]["total"] == _d(want["total"])
    for row in out["rank"]["rows"] + out["pro_rata"]["rows"]:
        assert row["awarded"] + row["reduction"] == row["requested"]
        assert Decimal("0") <= row["awarded"] <= row["requested"]
