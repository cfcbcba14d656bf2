"""The official letters of the plan (all pointing at one small PDF) and the inbox."""

from __future__ import annotations

import datetime as dt
import secrets

from bench.bulk import Copy, as_json

from .workflow import ZERO


class Letters:
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
                "programme_id",  # the programme the letter is about (its district sees it)
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
                    app.programme.pk,
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
