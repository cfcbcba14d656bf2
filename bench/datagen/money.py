"""The money of the plan: budget pools, awards, the append-only ledger and the cap counters (so that
`manage.py budget_check` agrees); vouchers are vouchers.py's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bench.bulk import Copy, as_json

from .workflow import CENT, ZERO


class Money:
    def write_budget(self) -> None:
        from vouchers.models import Award, BudgetCounter, BudgetPool, LedgerEntry

        rng = self.rng
        awards = []  # (award id, app, line, ent, fy, amount, status, at, finalize)
        for app in self.apps:
            if not app.award_lines or "approve" not in app.route:
                continue
            at = app.at("approve")
            status = {
                "approved": "committed",
                "approved_pending_notice": "reserved",
                "in_public_notice": "reserved",
            }.get(app.state, "released")
            for line, amount in app.award_lines.items():
                awards.append(
                    [
                        self.ids.take(Award),
                        app,
                        line,
                        self.line_enterprise(app, line),
                        self.local(at).year,
                        amount,
                        status,
                        at,
                        ZERO,
                    ]
                )
        pools: dict[tuple[int, int], dict] = {}
        for p in self.programmes.values():
            for fy in (2025, 2026):
                pools[(p.pk, fy)] = {
                    "id": self.ids.take(BudgetPool),
                    "reserved": ZERO,
                    "committed": ZERO,
                    "disbursed": ZERO,
                }
        ledger = []  # (pool id, award id, kind, amount, reference, paid_on, key, released_from, actor, at)
        for a in awards:
            aid, app, line, ent, fy, amount, status, at, _ = a
            pool = pools.setdefault(
                (app.programme.pk, fy),
                {"id": self.ids.take(BudgetPool), "reserved": ZERO, "committed": ZERO, "disbursed": ZERO},
            )
            ledger.append(
                (
                    pool["id"],
                    aid,
                    "reserve",
                    amount,
                    app.reference,
                    None,
                    f"approve:{app.id}:{self.local(at).isoformat()}:{line}",
                    "",
                    app.reviewer,
                    at,
                )
            )
            pool["reserved"] += amount
            if status == "committed":
                fin = app.at("finalize")
                ledger.append((pool["id"], aid, "commit", amount, "", None, f"commit:{aid}", "", None, fin))
                pool["reserved"] -= amount
                pool["committed"] += amount
                paid_day = self.local(fin) + dt.timedelta(days=rng.randint(10, 60))
                if not app.programme.is_voucher and paid_day <= self.today and rng.random() < 0.75:
                    pay = amount if rng.random() < 0.7 else (amount / 2).quantize(CENT)
                    ref = f"BK{paid_day:%Y%m%d}{aid:06d}"
                    ledger.append(
                        (
                            pool["id"],
                            aid,
                            "disburse",
                            pay,
                            ref,
                            paid_day,
                            f"disburse:{aid}:{ref}",
                            "",
                            self.admins[0],
                            self.at_local(paid_day, 10),
                        )
                    )
                    a[8] = pay
                    pool["disbursed"] += pay
                    if rng.random() < 0.005:
                        back = (pay / 10).quantize(CENT)
                        ref2 = f"ZH{aid:06d}"
                        ledger.append(
                            (
                                pool["id"],
                                aid,
                                "clawback",
                                back,
                                ref2,
                                None,
                                f"clawback:{aid}:{ref2}",
                                "",
                                self.admins[0],
                                self.at_local(paid_day, 15),
                            )
                        )
                        a[8] -= back
                        pool["disbursed"] -= back
            elif status == "released":
                gone = app.times[-1]
                ledger.append(
                    (
                        pool["id"],
                        aid,
                        "release",
                        amount,
                        "从高不重复或异议成立，释放预留额度",
                        None,
                        f"release:{aid}",
                        "reserved",
                        app.reviewer,
                        gone,
                    )
                )
                pool["reserved"] -= amount
        with Copy(
            BudgetPool,
            ["id", "programme_id", "fiscal_year", "amount", "reserved", "committed", "disbursed", "updated_at"],
            self.now,
        ) as c:
            for (pid, fy), pool in sorted(pools.items(), key=lambda kv: kv[1]["id"]):
                held = pool["reserved"] + pool["committed"]
                amount = max(Decimal("2000000"), ((held * Decimal("1.3")) / 100_000).to_integral_value() * 100_000)
                c.row(pool["id"], pid, fy, amount, pool["reserved"], pool["committed"], pool["disbursed"], self.now)
        pool_of = {a[0]: pools[(a[1].programme.pk, a[4])]["id"] for a in awards}
        with Copy(
            Award,
            [
                "id",
                "application_id",
                "line",
                "enterprise_id",
                "programme_id",
                "pool_id",
                "fiscal_year",
                "amount",
                "disbursed",
                "status",
                "decided_on",
                "parameters",
                "explanation",
                "created_at",
            ],
            self.now,
        ) as c:
            for aid, app, line, ent, fy, amount, status, at, paid in awards:
                est = app.tpl.estimate
                c.row(
                    aid,
                    app.id,
                    line,
                    ent.id,
                    app.programme.pk,
                    pool_of[aid],
                    fy,
                    amount,
                    paid,
                    status,
                    self.local(at),
                    as_json(est["parameters"]),
                    as_json(est["steps"]),
                    at,
                )
        ledger.sort(key=lambda r: r[9])
        first = self.ids.take(LedgerEntry, len(ledger))
        with Copy(
            LedgerEntry,
            [
                "id",
                "pool_id",
                "award_id",
                "kind",
                "amount",
                "reference",
                "paid_on",
                "idempotency_key",
                "released_from",
                "actor_id",
                "created_at",
            ],
            self.now,
        ) as c:
            for n, r in enumerate(ledger):
                c.row(first + n, *r[:9], r[9])
        audit = [
            (
                r[9],
                r[8],
                {
                    "reserve": "budget.award_reserve",
                    "commit": "budget.award_commit",
                    "release": "budget.award_release",
                    "disburse": "budget.tranche_disburse",
                    "clawback": "budget.award_clawback",
                }[r[2]],
                "vouchers.award",
                r[1],
                None,
                {"amount": str(r[3]), "pool": r[0]},
                "",
            )
            for r in ledger
        ]
        self.audit_rows = audit
        self.write_audit()
        self.write_counters(awards, BudgetCounter)
        self.write_vouchers([a for a in awards if a[6] == "committed" and a[1].programme.is_voucher])

    def write_counters(self, awards, BudgetCounter) -> None:

        counters: dict[tuple, list] = {}  # (programme id, kind, ent, fy, line) → [used, limit]

        def draw(key, amount, limit):
            c = counters.setdefault(key, [ZERO, limit])
            c[0] += amount

        units: dict[tuple, set] = {}
        for _aid, app, line, ent, fy, amount, status, _at, paid in awards:
            if status == "released" and paid == 0:
                continue
            pid, params = app.programme.pk, self.params[app.programme.code]
            held = amount if status != "released" else paid
            if "programme_total_period" in params:
                draw((pid, "programme_total", None, 0, ""), held, params["programme_total_period"])
            caps = [
                ("cap_per_enterprise_year", "enterprise_year", fy, ""),
                ("cap_per_enterprise_period", "enterprise_period", 0, ""),
            ]
            if line:
                caps += [
                    (f"cap_{line}_year", "enterprise_year", fy, line),
                    (f"cap_{line}_period", "enterprise_period", 0, line),
                ]
            for param, kind, fyk, ln in caps:
                if param in params:
                    draw((pid, kind, ent.id, fyk, ln), held, params[param])
            for param, kind, yearly in (
                ("awardee_quota_period", "awardees", False),
                ("project_quota_period", "projects", False),
                ("project_quota_year", "projects", True),
            ):
                if param in params:
                    key = (pid, kind, None, fy if yearly else 0, "")
                    counters.setdefault(key, [ZERO, params[param]])
                    units.setdefault(key, set()).add(ent.id if kind == "awardees" else app.id)
        for key, members in units.items():
            counters[key][0] = Decimal(len(members))
        with Copy(
            BudgetCounter,
            ["id", "programme_id", "kind", "enterprise_id", "fiscal_year", "line", "used", "limit", "updated_at"],
            self.now,
        ) as c:
            for (pid, kind, ent, fy, line), (used, limit) in counters.items():
                c.row(self.ids.take(BudgetCounter), pid, kind, ent, fy, line, used, limit, self.now)
