"""The money of the plan: budget pools, awards, the append-only ledger and the cap counters (so
that `manage.py budget_check` agrees), vouchers with their redemptions, official letters (all
pointing at one small PDF) and the inbox."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from bench import vocab
from bench.bulk import Copy, as_json

from .plan import CENT, START, ZERO


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

    def write_vouchers(self, awards) -> None:
        from vouchers.models import ComputeProvider, ProviderMember, ProviderRelation, Redemption, Voucher

        rng = self.rng
        providers = []
        with (
            Copy(
                ComputeProvider,
                [
                    "id",
                    "name",
                    "credit_code",
                    "services",
                    "district",
                    "contact_name",
                    "contact_phone",
                    "valid_from",
                    "valid_to",
                    "created_at",
                    "updated_at",
                ],
                self.now,
            ) as c,
            Copy(ProviderMember, ["id", "provider_id", "user_id", "created_at"], self.now) as m,
        ):
            from applications.uscc import check_character

            for i, uid in enumerate(self.staff["provider"], start=1):
                pid = self.ids.take(ComputeProvider)
                body = f"91440112PR{i:07d}"
                c.row(
                    pid,
                    f"广州{vocab.CORE[i % len(vocab.CORE)]}算力服务有限公司",
                    body + check_character(body),
                    "智能算力租赁、模型云部署、API调用服务",
                    "黄埔区/广州开发区",
                    vocab.person(rng),
                    vocab.phone(rng),
                    START,
                    None,
                    self.now,
                    self.now,
                )
                m.row(self.ids.take(ProviderMember), pid, uid, self.now)
                providers.append(pid)
        related: set[tuple[int, int]] = set()
        with Copy(
            ProviderRelation,
            ["id", "provider_id", "enterprise_id", "kind", "note", "declared_by_id", "created_at"],
            self.now,
        ) as c:
            for pid in providers:
                for ent in rng.sample(self.enterprises, 3):
                    related.add((pid, ent.id))
                    c.row(
                        self.ids.take(ProviderRelation),
                        pid,
                        ent.id,
                        "shareholding",
                        "持股30%",
                        self.admins[0],
                        self.now,
                    )
        with (
            Copy(
                Voucher,
                [
                    "id",
                    "code",
                    "award_id",
                    "enterprise_id",
                    "programme_id",
                    "face_value",
                    "balance",
                    "issued_on",
                    "expires_on",
                    "status",
                    "created_at",
                ],
                self.now,
            ) as cv,
            Copy(
                Redemption,
                [
                    "id",
                    "voucher_id",
                    "provider_id",
                    "invoice_number",
                    "invoice_date",
                    "amount",
                    "invoice_file",
                    "original_name",
                    "content_type",
                    "size",
                    "sha256",
                    "status",
                    "dispute_reason",
                    "created_by_id",
                    "created_at",
                    "responded_by_id",
                    "responded_at",
                ],
                self.now,
            ) as cr,
        ):
            for aid, app, _line, ent, fy, amount, _status, _at, _paid in awards:
                vid = self.ids.take(Voucher)
                issued = self.local(app.at("finalize"))
                try:
                    expires = issued.replace(year=issued.year + 1)
                except ValueError:
                    expires = issued + dt.timedelta(days=365)
                spent = ZERO
                rows = []
                for k in range(rng.choice((0, 1, 1, 2, 3))):
                    pid = rng.choice(providers)
                    if (pid, ent.id) in related:
                        continue
                    share = (amount * Decimal(str(rng.uniform(0.05, 0.3)))).quantize(CENT)
                    day = issued + dt.timedelta(days=rng.randint(5, max(6, (self.today - issued).days)))
                    if day > self.today or share <= 0 or spent + share > amount:
                        continue
                    status = rng.choices(["confirmed", "pending", "disputed"], [65, 25, 10])[0]
                    if status != "disputed":
                        spent += share
                    at = self.at_local(day, 14)
                    uid = self.staff["provider"][providers.index(pid)]
                    rows.append(
                        (
                            self.ids.take(Redemption),
                            vid,
                            pid,
                            f"{44000000 + vid * 10 + k:08d}",
                            day,
                            share,
                            self.files["invoice"],
                            "发票.pdf",
                            "application/pdf",
                            len(self.pdf),
                            self.pdf_sha,
                            status,
                            "金额与实际使用不符" if status == "disputed" else "",
                            uid,
                            at,
                            ent.owner if status != "pending" else None,
                            at + dt.timedelta(days=1) if status != "pending" else None,
                        )
                    )
                cv.row(
                    vid,
                    f"HPSL{fy}{vid:08d}",
                    aid,
                    ent.id,
                    app.programme.pk,
                    amount,
                    amount - spent,
                    issued,
                    expires,
                    "active" if expires >= self.today else "expired",
                    self.at_local(issued, 0, 20),
                )
                for r in rows:
                    cr.row(*r)

    # -- letters and the inbox
    def write_letters(self) -> None:
        from portal.templatetags.money import capital_rmb
        from reviews.models import Letter, LetterSeries

        rng = self.rng
        wanted = []  # (issued at, app, kind, extra)
        for app, _sid, at, due, rows in self.supplement_rows:
            wanted.append((at, app, "supplement", {"due": due, "items": rows}))
        for app in self.apps:
            fin = app.at("finalize")
            if fin is not None:
                wanted.append((fin, app, "approval", {}))
            if app.state == "declined" and app.id in self.decisions:
                wanted.append((app.times[-1], app, "decline", {"reason": self.decisions[app.id][-1][4]}))
        wanted.sort(key=lambda w: w[0])
        serials: dict[tuple[str, int], int] = {}
        alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
        codes: set[str] = set()
        self.letters: list[tuple] = []
        audit = []
        with Copy(
            Letter,
            [
                "id",
                "application_id",
                "programme_id",
                "kind",
                "status",
                "authority",
                "prefix",
                "year",
                "serial",
                "number",
                "code",
                "template",
                "addressee_name",
                "addressee_credit_code",
                "amount",
                "issued_on",
                "context",
                "pdf",
                "sha256",
                "size",
                "generated_at",
                "attempts",
                "created_at",
            ],
            self.now,
        ) as c:
            for at, app, kind, extra in wanted:
                policy = app.programme.policy
                day = self.local(at)
                key = (policy.letter_prefix, day.year)
                serials[key] = serials.get(key, 0) + 1
                number = f"{policy.letter_prefix}〔{day.year}〕{serials[key]}号"
                code = "".join(rng.choice(alphabet) for _ in range(10))
                while code in codes:
                    code = "".join(secrets.choice(alphabet) for _ in range(10))
                codes.add(code)
                amount = sum(app.award_lines.values(), ZERO) if kind == "approval" else None
                ctx = {
                    "authority": policy.letter_authority,
                    "number": number,
                    "issued_on": day.isoformat(),
                    "issued_on_zh": f"{day.year}年{day.month}月{day.day}日",
                    "addressee": {
                        "name": app.ent.name,
                        "credit_code": app.ent.code,
                        "address": app.ent.address,
                        "legal_representative": app.ent.legal,
                    },
                    "application": {
                        "reference": app.reference,
                        "title": "",
                        "submitted_on": self.local(app.submitted_at).isoformat(),
                    },
                    "programme": {
                        "code": app.programme.code,
                        "name": app.programme.name_zh,
                        "article": app.programme.article,
                        "is_voucher": app.programme.is_voucher,
                    },
                    "policy": {"title": policy.title, "document_number": policy.document_number},
                }
                if kind == "approval":
                    ctx.update(
                        amount=str(amount),
                        amount_figures=f"{amount:,}",
                        amount_capital="人民币" + capital_rmb(amount),
                        payment_mode="voucher" if app.programme.is_voucher else "lump",
                    )
                elif kind == "decline":
                    ctx["reason"] = extra["reason"]
                else:
                    ctx.update(
                        items=[{"label": lb, "note": n} for _c, lb, n in extra["items"]],
                        due_on=extra["due"].isoformat(),
                    )
                lid = self.ids.take(Letter)
                c.row(
                    lid,
                    app.id,
                    app.programme.id,
                    kind,
                    "ready",
                    policy.letter_authority,
                    policy.letter_prefix,
                    day.year,
                    serials[key],
                    number,
                    code,
                    f"{kind}_v1",
                    app.ent.name,
                    app.ent.code,
                    amount,
                    day,
                    as_json(ctx),
                    self.files["letter"],
                    self.pdf_sha,
                    len(self.pdf),
                    at + dt.timedelta(seconds=20),
                    1,
                    at,
                )
                self.letters.append((lid, app, kind, at))
                audit.append(
                    (
                        at,
                        self.actor_of(app, "approve") if kind != "approval" else None,
                        "letter.create",
                        "reviews.letter",
                        lid,
                        None,
                        {"number": number, "kind": kind, "application": app.reference},
                        "",
                    )
                )
        with Copy(LetterSeries, ["id", "prefix", "year", "last_serial"], self.now) as c:
            for (prefix, year), last in sorted(serials.items()):
                c.row(self.ids.take(LetterSeries), prefix, year, last)
        self.audit_rows = audit
        self.write_audit()

    def write_notifications(self) -> None:
        from portal.models import Notification

        rng = self.rng
        with Copy(
            Notification,
            [
                "id",
                "recipient_id",
                "kind",
                "subject",
                "body",
                "link",
                "dedupe_key",
                "created_at",
                "read_at",
                "emailed_at",
            ],
            self.now,
        ) as c:
            for lid, app, kind, at in self.letters:
                subject = {
                    "approval": f"文书已出具：申报 {app.reference} 核定通知",
                    "decline": f"审核结果：申报 {app.reference} 未获支持",
                    "supplement": f"补正通知：申报 {app.reference} 需补正材料",
                }[kind]
                read = at + dt.timedelta(hours=rng.uniform(1, 72)) if rng.random() < 0.7 else None
                c.row(
                    self.ids.take(Notification),
                    app.ent.owner,
                    {"approval": "letter", "decline": "decision", "supplement": "supplement"}[kind],
                    subject,
                    subject + "。请登录平台查看详情。",
                    f"/applications/{app.id}/",
                    f"letter:{lid}",
                    at,
                    read if read and read <= self.now else None,
                    at,
                )
