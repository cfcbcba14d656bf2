"""The public notices of the plan (公示, on their weekly day) and the objections lodged against them."""

from __future__ import annotations

import datetime as dt

from bench import vocab
from bench.bulk import Copy

from .workflow import App


class Notices:
    def write_notices(self, PublicNotice, PublicNoticeEntry, Objection) -> None:

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
