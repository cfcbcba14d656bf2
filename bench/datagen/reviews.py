"""The review records of the plan: assignments, expert panels and scores, supplement requests and
decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bench.bulk import Copy, as_json

from .workflow import DECLINE_REASONS, ZERO, App


class Reviews:
    def write_reviews(self) -> None:
        from applications.models import SupplementItem, SupplementRequest
        from reviews.models import (
            Decision,
            ExpertAssignment,
            ExpertRelation,
            ExpertScore,
            Objection,
            PublicNotice,
            PublicNoticeEntry,
            ReviewAssignment,
        )

        rng = self.rng
        experts = self.staff["expert"]
        relations: set[tuple[int, int]] = set()
        with Copy(
            ExpertRelation, ["id", "expert_id", "enterprise_id", "note", "declared_by_id", "created_at"], self.now
        ) as c:
            for e in experts:
                for ent in rng.sample(self.enterprises, 2):
                    relations.add((e, ent.id))
                    c.row(self.ids.take(ExpertRelation), e, ent.id, "曾任该企业技术顾问", self.admins[0], self.now)
        self.supplement_rows: list[tuple] = []  # for letters: (app, sr id, at, due, items)
        self.decisions: dict[int, list[tuple]] = {}  # app id → [(decision id, outcome, at, amount, reason, current)]
        with (
            Copy(
                ReviewAssignment,
                ["id", "application_id", "reviewer_id", "assigned_by_id", "assigned_at", "claimed"],
                self.now,
            ) as ra,
            Copy(
                ExpertAssignment,
                [
                    "id",
                    "application_id",
                    "expert_id",
                    "assigned_by_id",
                    "assigned_at",
                    "status",
                    "declared_at",
                    "declaration_note",
                    "submitted_at",
                    "total",
                    "comment",
                ],
                self.now,
            ) as ea,
            Copy(
                ExpertScore, ["id", "assignment_id", "criterion", "label", "max_score", "score", "comment"], self.now
            ) as es,
            Copy(
                SupplementRequest,
                [
                    "id",
                    "application_id",
                    "requested_by_id",
                    "created_at",
                    "due_date",
                    "review_due_date",
                    "note",
                    "answered_at",
                ],
                self.now,
            ) as sr,
            Copy(SupplementItem, ["id", "request_id", "code", "label", "note", "position"], self.now) as si,
            Copy(
                Decision,
                [
                    "id",
                    "application_id",
                    "outcome",
                    "amount",
                    "max_amount",
                    "lines",
                    "reason",
                    "explanation",
                    "parameters",
                    "conflicts",
                    "decided_on",
                    "decided_by_id",
                    "created_at",
                    "current",
                ],
                self.now,
            ) as dc,
        ):
            for app in self.apps:
                if app.reviewer is None:
                    continue
                claimed = rng.random() < 0.5
                t0 = app.at("start_formal_review") or app.submitted_at + dt.timedelta(hours=rng.uniform(1, 30))
                t0 = min(t0, self.now)
                ra.row(
                    self.ids.take(ReviewAssignment),
                    app.id,
                    app.reviewer,
                    app.reviewer if claimed else rng.choice(self.district_staff("bureau_admin", app.programme)),
                    t0 - dt.timedelta(minutes=5),
                    claimed,
                )
                materials = [(m["code"], m.get("label_zh") or m["code"]) for m in app.programme.materials or []]
                for i, action in enumerate(app.route):
                    at = app.times[i]
                    if action == "request_supplement":
                        sid = self.ids.take(SupplementRequest)
                        app.supplements.append(sid)
                        due = self.workdays(self.local(at), 5)
                        answered = (
                            app.times[i + 1] if i + 1 < len(app.route) and app.route[i + 1] == "resubmit" else None
                        )
                        items = rng.sample(materials, min(len(materials), rng.randint(1, 3)))
                        sr.row(
                            sid,
                            app.id,
                            app.reviewer,
                            at,
                            due,
                            self.workdays(self.local(app.submitted_at), 5),
                            "请一次性补正所列材料。",
                            answered,
                        )
                        rows = [(code, label, "请提供加盖公章的完整扫描件。") for code, label in items]
                        for pos, (code, label, note) in enumerate(rows, start=1):
                            si.row(self.ids.take(SupplementItem), sid, code, label, note, pos)
                        self.supplement_rows.append((app, sid, at, due, rows))
                    elif action == "send_to_experts":
                        self.write_panel(app, at, i, ea, es, relations)
                self.write_decisions(app, dc, as_json)
        self.write_notices(PublicNotice, PublicNoticeEntry, Objection)

    def write_panel(self, app: App, at: dt.datetime, i: int, ea, es, relations) -> None:
        from reviews.models import ExpertAssignment, ExpertScore

        rng = self.rng
        criteria = app.programme.criteria or []
        done_by = app.times[i + 1] if i + 1 < len(app.route) else self.now
        pool = [e for e in self.district_staff("expert", app.programme) if (e, app.ent.id) not in relations]
        for e in rng.sample(pool, min(len(pool), 3)):
            aid = self.ids.take(ExpertAssignment)
            if i + 1 < len(app.route):
                status = "submitted"
            else:  # still with the experts
                status = rng.choices(["pending", "accepted", "submitted"], [2, 3, 5])[0]
            declared = at + (done_by - at) * rng.uniform(0.05, 0.3) if status != "pending" else None
            submitted = at + (done_by - at) * rng.uniform(0.4, 0.95) if status == "submitted" else None
            scores = []
            if status == "submitted":
                for crit in criteria:
                    top = Decimal(str(crit["max_score"]))
                    scores.append((crit, top, (top * Decimal(str(rng.uniform(0.5, 0.97)))).quantize(Decimal("0.5"))))
            total = sum((s for _, _, s in scores), ZERO) if scores else None
            note = "本人声明与申报单位无利益关联。" if declared else ""
            ea.row(
                aid,
                app.id,
                e,
                app.reviewer,
                at,
                status,
                declared,
                note,
                submitted,
                total,
                "项目具有一定创新性和示范价值。" if submitted else "",
            )
            for crit, top, score in scores:
                es.row(
                    self.ids.take(ExpertScore), aid, crit["code"], crit.get("label_zh") or crit["code"], top, score, ""
                )

    def write_decisions(self, app: App, dc, as_json) -> None:
        from reviews.models import Decision

        for i, action in enumerate(app.route):
            at = app.times[i]
            actor = app.reviewer if action not in ("uphold_objection",) else self.admin_of(app.programme)
            if action == "approve":
                total = sum(app.award_lines.values(), ZERO)
                est = app.tpl.estimate
                lines = [
                    {
                        "line": ln,
                        "label": {"supplier": "供应方", "buyer": "采购方"}.get(ln, ""),
                        "amount": str(a),
                        "max": str(app.tpl.lines[ln]),
                        "enterprise_id": self.line_enterprise(app, ln).id,
                        "enterprise_name": self.line_enterprise(app, ln).name,
                    }
                    for ln, a in app.award_lines.items()
                ]
                outcome = "approve" if total == app.tpl.amount else "reduce"
                reason = "" if outcome == "approve" else "按评审意见及资金安排核减。"
                did = self.ids.take(Decision)
                current = action == app.route[-1] or app.route[-1] in ("publish_notice", "finalize")
                dc.row(
                    did,
                    app.id,
                    outcome,
                    total,
                    app.tpl.amount,
                    as_json(lines),
                    reason,
                    as_json(est["steps"]),
                    as_json(est["parameters"]),
                    "[]",
                    self.local(at),
                    actor,
                    at,
                    current,
                )
                self.decisions.setdefault(app.id, []).append((did, outcome, at, total, reason, current))
            elif action in ("decline", "decline_superseded", "uphold_objection"):
                reason = {
                    "decline_superseded": "从高不重复：同一项目已在其他项目获更高支持，本项不予支持。",
                    "uphold_objection": "公示期间异议经核查成立，取消支持。",
                }.get(action, DECLINE_REASONS.get(app.decline_kind, DECLINE_REASONS["bureau"]))
                did = self.ids.take(Decision)
                dc.row(
                    did, app.id, "decline", ZERO, None, "[]", reason, "[]", "{}", "[]", self.local(at), actor, at, True
                )
                self.decisions.setdefault(app.id, []).append((did, "decline", at, ZERO, reason, True))
