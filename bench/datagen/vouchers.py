"""The vouchers of the plan's awards, the compute providers and their redemptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bench import vocab
from bench.bulk import Copy

from .workflow import CENT, START, ZERO


class Vouchers:
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
