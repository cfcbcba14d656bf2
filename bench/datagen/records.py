"""The application records of the plan: applications with their claims and attachments, review
assignments, expert panels and scores, supplement requests, decisions, public notices and
objections, the timeline of every application and the audit trail."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from bench import vocab
from bench.bulk import Copy, as_json

from .plan import ACTION_LABEL, DECLINE_REASONS, ZERO, App


class Records:
    def write_applications(self) -> None:
        from applications.models import Application, Attachment, ProjectClaim, ReferenceSequence
        from bench.bulk import Copy, as_json

        rng = self.rng
        with Copy(ReferenceSequence, ["id", "year", "last"], self.now) as c:
            for year, last in sorted(self.sequences.items()):
                c.row(self.ids.take(ReferenceSequence), year, last)
        self.attachments: list[tuple] = []  # (app, id, material, label, at, uploader)
        app_cols = [
            "id",
            "reference",
            "enterprise_id",
            "programme_id",
            "window_id",
            "state",
            "title",
            "project_key",
            "description",
            "inputs",
            "estimate_amount",
            "estimate",
            "draft_data",
            "draft_saved_at",
            "declared_at",
            "declared_by_id",
            "submitted_at",
            "decided_at",
            "due_date",
            "created_by_id",
            "created_at",
            "updated_at",
        ]
        with (
            Copy(Application, app_cols, self.now) as ca,
            Copy(ProjectClaim, ["id", "application_id", "kind", "value"], self.now) as cc,
        ):
            for app in self.apps:
                p, ent = app.programme, app.ent
                inputs = dict(app.tpl.inputs) if app.tpl else {}
                if app.buyer is not None and inputs:
                    inputs["supplier_uscc"], inputs["buyer_uscc"] = ent.code, app.buyer.code
                applicant = ent.agent if ent.agent and rng.random() < 0.5 else ent.owner
                title = vocab.project_title(rng)
                key = f"PRJ-{ent.id}-{rng.randint(1, 3)}" if rng.random() < 0.3 else ""
                submitted = app.submitted_at
                last = app.times[-1] if app.times else app.created_at
                decided = next(
                    (
                        t
                        for a, t in zip(app.route, app.times, strict=True)
                        if a in ("approve", "decline", "decline_superseded", "uphold_objection")
                    ),
                    None,
                )
                draft = (
                    {"title": title, "inputs": {k: str(v) for k, v in inputs.items()}} if app.state == "draft" else {}
                )
                ca.row(
                    app.id,
                    app.reference,
                    ent.id,
                    p.pk,
                    app.window_id,
                    app.state,
                    title,
                    key,
                    f"{ent.name}{title}，围绕{p.name_zh}开展建设与应用。",
                    as_json(inputs),
                    app.tpl.amount if app.tpl else None,
                    as_json(app.tpl.estimate) if app.tpl else None,
                    as_json(draft),
                    app.created_at if app.state == "draft" else None,
                    submitted,
                    ent.owner if submitted else None,
                    submitted,
                    decided,
                    self.due_date(app),
                    applicant,
                    app.created_at,
                    last,
                )
                materials = [m["code"] for m in p.materials or []]
                if any(m in ("contract", "service_contract") for m in materials):
                    cc.row(self.ids.take(ProjectClaim), app.id, "contract", f"HT{app.created_at:%Y}{app.id:07d}")
                if "invoice" in materials:
                    for k in range(rng.choice((1, 1, 2, 3))):
                        cc.row(self.ids.take(ProjectClaim), app.id, "invoice", f"44{app.id:08d}{k:02d}")
                if key:
                    cc.row(self.ids.take(ProjectClaim), app.id, "project", key)
                # the evidence: every material before submission (a draft has some of it)
                upto = submitted or self.now
                labels = {m["code"]: m.get("label_zh") or m["code"] for m in p.materials or []}
                chosen = materials if submitted else materials[: rng.randint(0, len(materials))]
                for material in chosen:
                    at = app.created_at + (upto - app.created_at) * rng.uniform(0.05, 0.95)
                    self.attachments.append(
                        (app, self.ids.take(Attachment), material, labels[material], at, applicant, None)
                    )
                    if rng.random() < 0.08:  # replaced by a newer version
                        self.attachments[-1] = self.attachments[-1][:6] + (at + dt.timedelta(hours=2),)
                        self.attachments.append(
                            (
                                app,
                                self.ids.take(Attachment),
                                material,
                                labels[material],
                                at + dt.timedelta(hours=2),
                                applicant,
                                None,
                            )
                        )
        with Copy(
            Attachment,
            [
                "id",
                "application_id",
                "material",
                "file",
                "original_name",
                "content_type",
                "size",
                "sha256",
                "uploaded_by_id",
                "uploaded_at",
                "superseded_at",
            ],
            self.now,
        ) as c:
            for app, aid, material, label, at, uploader, superseded in self.attachments:
                c.row(
                    aid,
                    app.id,
                    material,
                    self.files["attachment"],
                    f"{label}.pdf",
                    "application/pdf",
                    len(self.pdf),
                    self.pdf_sha,
                    uploader,
                    at,
                    superseded,
                )

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

    def write_notices(self, PublicNotice, PublicNoticeEntry, Objection) -> None:
        from bench.bulk import Copy

        rng = self.rng
        groups: dict[tuple, list[App]] = {}
        for app in self.apps:
            if app.notice_key is not None:
                groups.setdefault(app.notice_key, []).append(app)
        self.notices: dict[tuple, tuple[int, dt.date, dt.date]] = {}
        windows = {wid: name for rows in self.windows.values() for _o, _c, wid, name in rows}
        with (
            Copy(
                PublicNotice,
                [
                    "id",
                    "title",
                    "window_id",
                    "programme_id",
                    "published_at",
                    "published_by_id",
                    "starts_on",
                    "ends_on",
                    "workdays",
                    "status",
                    "closed_at",
                ],
                self.now,
            ) as cn,
            Copy(
                PublicNoticeEntry,
                [
                    "id",
                    "notice_id",
                    "application_id",
                    "line",
                    "enterprise_name",
                    "programme_name",
                    "project_title",
                    "amount",
                    "status",
                ],
                self.now,
            ) as ce,
            Copy(
                Objection,
                [
                    "id",
                    "notice_id",
                    "application_id",
                    "objector_kind",
                    "objector_name",
                    "objector_id_number",
                    "contact_phone",
                    "contact_email",
                    "content",
                    "submitted_at",
                    "due_date",
                    "status",
                    "resolution",
                    "resolved_by_id",
                    "resolved_at",
                ],
                self.now,
            ) as co,
        ):
            for key in sorted(groups, key=lambda k: (k[1], k[0])):
                apps = groups[key]
                code, day = key
                p = self.programmes[code]
                nid = self.ids.take(PublicNotice)
                ends = self.workdays(day, 7)
                wins = {a.window_id for a in apps}
                window = next(iter(wins)) if len(wins) == 1 else None
                is_open = ends >= self.today
                published = self.at_local(day, 9, 30)
                cn.row(
                    nid,
                    f"{p.name_zh}{windows.get(window, '')}拟支持名单公示",
                    window,
                    p.pk,
                    published,
                    self.admin_of(p),
                    day,
                    ends,
                    7,
                    "open" if is_open else "closed",
                    None if is_open else self.at_local(ends + dt.timedelta(days=1), 0, 15),
                )
                self.notices[key] = (nid, day, ends)
                for app in apps:
                    status = {"approved": "final", "in_public_notice": "listed"}.get(app.state, "withdrawn")
                    for line, amount in app.award_lines.items():
                        ce.row(
                            self.ids.take(PublicNoticeEntry),
                            nid,
                            app.id,
                            line,
                            self.line_enterprise(app, line).name,
                            p.name_zh,
                            "",
                            amount,
                            status,
                        )
                    objected = app.decline_kind == "objection" or rng.random() < (0.03 if is_open else 0.01)
                    if objected:
                        at = published + dt.timedelta(days=rng.uniform(0.5, 2))
                        upheld = app.decline_kind == "objection"
                        status_o = "upheld" if upheld else ("open" if is_open else "dismissed")
                        resolved = (
                            app.at("uphold_objection")
                            if upheld
                            else (at + dt.timedelta(days=rng.uniform(1, 4)) if status_o == "dismissed" else None)
                        )
                        co.row(
                            self.ids.take(Objection),
                            nid,
                            app.id,
                            "person",
                            vocab.person(rng),
                            "",
                            vocab.phone(rng),
                            "",
                            "该企业申报的项目实际未投入使用，申报数据与实际不符。",
                            at,
                            self.workdays(self.local(at), 5),
                            status_o,
                            "经核查，异议成立。" if upheld else ("经核查，异议不成立。" if resolved else ""),
                            self.admin_of(p) if resolved else None,
                            resolved,
                        )

    def write_timeline(self) -> None:
        from applications.models import ApplicationEvent

        audit = self.audit_rows
        by_app: dict[int, list[tuple]] = {}
        for app, aid, material, label, at, uploader, _sup in self.attachments:
            by_app.setdefault(app.id, []).append((at, uploader, aid, material, label))
        states = {
            "submit": ("draft", "submitted"),
            "start_formal_review": ("submitted", "formal_review"),
            "request_supplement": ("formal_review", "supplement_requested"),
            "resubmit": ("supplement_requested", "formal_review"),
            "pass_formal_review": ("formal_review", "bureau_review"),
            "send_to_experts": ("formal_review", "expert_review"),
            "finish_expert_review": ("expert_review", "bureau_review"),
            "approve": ("bureau_review", "approved_pending_notice"),
            "decline_superseded": ("approved_pending_notice", "declined"),
            "publish_notice": ("approved_pending_notice", "in_public_notice"),
            "uphold_objection": ("in_public_notice", "declined"),
            "finalize": ("in_public_notice", "approved"),
        }
        sup_of = {}
        for app, sid, at, due, rows in self.supplement_rows:
            sup_of[(app.id, at)] = (sid, due, rows)
        with Copy(
            ApplicationEvent,
            [
                "id",
                "application_id",
                "created_at",
                "actor_id",
                "action",
                "from_state",
                "to_state",
                "message",
                "data",
                "visible_to_applicant",
            ],
            self.now,
        ) as ce:
            for app in self.apps:
                applicant = app.ent.owner
                ce.row(
                    self.ids.take(ApplicationEvent),
                    app.id,
                    app.created_at,
                    applicant,
                    "create",
                    "",
                    "draft",
                    "创建申报草稿",
                    "{}",
                    True,
                )
                audit.append(
                    (
                        app.created_at,
                        applicant,
                        "application.create",
                        "applications.application",
                        app.id,
                        None,
                        {"reference": app.reference, "programme": app.programme.code},
                        "",
                    )
                )
                for at, uploader, aid, material, label in by_app.get(app.id, []):
                    ce.row(
                        self.ids.take(ApplicationEvent),
                        app.id,
                        at,
                        uploader,
                        "attachment_add",
                        "",
                        "",
                        f"上传材料“{label}”：{label}.pdf",
                        as_json({"attachment": aid, "material": material, "replaces": None}),
                        True,
                    )
                    audit.append(
                        (
                            at,
                            uploader,
                            "application.attachment_add",
                            "applications.application",
                            app.id,
                            None,
                            {"attachment": aid, "material": material, "name": f"{label}.pdf"},
                            "",
                        )
                    )
                state = "draft"
                for i, action in enumerate(app.route):
                    at = app.times[i]
                    src, dst = states.get(action, (state, "declined" if action == "decline" else "withdrawn"))
                    src = state
                    actor = self.actor_of(app, action)
                    data, message = {}, ACTION_LABEL.get(action, "")
                    if action == "request_supplement":
                        sid, due, rows = sup_of[(app.id, at)]
                        data = {"supplement_request": sid}  # the items and dates are the request's rows
                        message = "请一次性补正所列材料。"
                    elif action == "approve":
                        total = sum(app.award_lines.values(), ZERO)
                        data = {
                            "outcome": "approve",
                            "amount": str(total),
                            "max_amount": str(app.tpl.amount),
                            "decided_on": self.local(at).isoformat(),
                        }
                    elif action in ("decline", "decline_superseded", "uphold_objection"):
                        reason = self.decisions[app.id][-1][4]
                        data, message = {"outcome": "decline", "reason": reason}, reason
                    elif action == "publish_notice":
                        nid, start, ends = self.notices[app.notice_key]
                        data = {"notice": nid, "ends_on": ends.isoformat()}
                        message = f"公示期 {start.isoformat()} 至 {ends.isoformat()}"
                    elif action == "finalize":
                        message = "公示期满，核定生效"
                    ce.row(
                        self.ids.take(ApplicationEvent),
                        app.id,
                        at,
                        actor,
                        action,
                        src,
                        dst,
                        message,
                        as_json(data),
                        True,
                    )
                    audit.append(
                        (
                            at,
                            actor,
                            f"application.{action}",
                            "applications.application",
                            app.id,
                            {"state": src},
                            {"state": dst, **data},
                            message,
                        )
                    )
                    state = dst
        self.write_audit()

    def write_audit(self) -> None:
        from portal.models import AuditEvent

        rows = self.audit_rows
        rows.sort(key=lambda r: r[0])
        first = self.ids.take(AuditEvent, len(rows))
        ips = [f"10.{i}.{j}.{k}" for i, j, k in itertools.product((20, 21), range(4), range(1, 60))]
        with Copy(
            AuditEvent,
            [
                "id",
                "created_at",
                "actor_id",
                "actor_label",
                "action",
                "target_type",
                "target_id",
                "ip_address",
                "before",
                "after",
                "note",
            ],
            self.now,
        ) as c:
            for n, (at, actor, action, ttype, tid, before, after, note) in enumerate(rows):
                c.row(
                    first + n,
                    at,
                    actor,
                    self.users.get(actor, "system") if actor else "system",
                    action,
                    ttype,
                    str(tid),
                    ips[n % len(ips)] if actor else None,
                    as_json(before) if before is not None else None,
                    as_json(after) if after is not None else None,
                    note,
                )
        self.audit_rows = []

    # -- budget
