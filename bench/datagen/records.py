"""The application records of the plan: applications with their claims and attachments, the timeline
of every application and the audit trail (the reviews' records are reviews.py's and notices.py's)."""

from __future__ import annotations

import datetime as dt
import itertools

from bench import vocab
from bench.bulk import Copy, as_json

from .workflow import ACTION_LABEL, ZERO


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
