"""The plan of the generated district: the staff, enterprises and their members, application
windows, estimates from the real calculator, and each application's route through the workflow with
the time of every step (public notices on their weekly day), kept within the programmes' totals,
quotas and per-enterprise caps."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import cache

from bench import vocab
from bench.bulk import Copy, Ids

PASSWORD = "Bench-2026-pass"
FULL = {"enterprises": 20_000, "applications": 100_000}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
START = dt.date(2025, 7, 1)  # the portal opened for applications

# Final states and their share of the applications (PROGRAMS.md's whole workflow).
STATE_WEIGHTS = {  # (about a week's approvals wait for the weekly notice; one notice period is open)
    "draft": 10,
    "submitted": 5,
    "formal_review": 5,
    "supplement_requested": 4,
    "expert_review": 4,
    "bureau_review": 6,
    "approved_pending_notice": 0.5,
    "in_public_notice": 0.8,
    "approved": 34.7,
    "declined": 18,
    "withdrawn": 12,
}
# How applications spread over the programmes (compute vouchers and R&D subsidies draw the most).
PROGRAMME_WEIGHTS = {
    "hp-compute-voucher": 10,
    "hp-vertical-model-compute": 3,
    "hp-model-genai-filing": 3,
    "hp-model-deepsynth-filing": 3,
    "hp-scenario-voucher": 5,
    "hp-data-space": 1,
    "hp-data-asset-entry": 4,
    "hp-data-trading": 3,
    "hp-revenue-growth": 6,
    "hp-transformation-center": 2,
    "hp-open-source": 2,
    "th-landing-scale": 1,
    "th-landing-revenue": 1,
    "th-scale-leap": 1,
    "th-scenario-demo": 4,
    "th-software-matching": 4,
    "th-rd-subsidy": 6,
    "th-consortium": 3,
    "th-dcmm": 5,
    "th-compute-subsidy": 8,
    "th-vc-subsidy": 4,
    "th-loan-interest": 4,
    "th-events": 5,
}
# Days each step takes after the previous one (uniform range).
DELAY = {
    "submit": (0.2, 8),
    "start_formal_review": (0.1, 3),
    "request_supplement": (0.5, 4),
    "resubmit": (1, 5),
    "pass_formal_review": (0.5, 4),
    "send_to_experts": (0.5, 4),
    "finish_expert_review": (5, 16),
    "approve": (2, 15),
    "decline": (1, 12),
    "decline_superseded": (1, 6),
    "publish_notice": (0.5, 7),
    "withdraw": (1, 20),
}
# How long ago (days) the last step of an application still in progress happened, at most.
RECENT = {
    "draft": 60,
    "submitted": 6,
    "formal_review": 7,
    "supplement_requested": 8,
    "expert_review": 12,
    "bureau_review": 14,
    "approved_pending_notice": 6,
}
ACTION_LABEL = {
    "submit": "提交申报并承诺所填信息真实、准确、完整",
    "start_formal_review": "",
    "resubmit": "已按补正通知补正材料",
    "pass_formal_review": "材料齐全，形式审查通过",
    "send_to_experts": "形式审查通过，提交专家评审",
    "finish_expert_review": "专家评审完成",
    "withdraw": "企业主动撤回",
}
DECLINE_REASONS = {
    "formal": "申报材料经补正仍不齐全，不符合申报条件。",
    "expert": "专家评审综合得分未达到支持线。",
    "bureau": "经实质审核，项目不符合政策支持条件。",
    "quota": "本年度资金额度或支持名额已满，按排名未予支持。",
}

# ---------------------------------------------------------------- the plan of one application


@dataclass(slots=True)
class Ent:
    id: int
    name: str
    code: str
    district: str
    above_scale: bool
    owner: int
    agent: int | None
    address: str
    legal: str


@dataclass(slots=True)
class Tpl:
    """An estimate the calculator made for one set of inputs (applications reuse them)."""

    inputs: dict
    estimate: dict
    amount: Decimal
    lines: dict[str, Decimal]


@dataclass(slots=True)
class App:
    programme: object
    ent: Ent
    state: str
    route: list[str]
    times: list[dt.datetime]
    created_at: dt.datetime
    decline_kind: str = ""
    tpl: Tpl | None = None
    award_lines: dict[str, Decimal] = field(default_factory=dict)  # decided amount per line
    buyer: Ent | None = None
    id: int = 0
    reference: str = ""
    reviewer: int | None = None
    window_id: int | None = None
    notice_key: tuple | None = None
    supplements: list[int] = field(default_factory=list)  # supplement request ids, in order

    def at(self, action: str) -> dt.datetime | None:
        for a, t in zip(self.route, self.times, strict=True):
            if a == action:
                return t
        return None

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.at("submit")


def route_for(state: str, competitive: bool, rng: random.Random) -> tuple[list[str], str]:
    """The transitions from draft to `state` (and, for a decline, which kind)."""
    formal = ["submit", "start_formal_review"] + (["request_supplement", "resubmit"] if rng.random() < 0.25 else [])
    passed = formal + (["send_to_experts"] if competitive else ["pass_formal_review"])
    bureau = passed + (["finish_expert_review"] if competitive else [])
    if state == "draft":
        return [], ""
    if state == "submitted":
        return ["submit"], ""
    if state == "formal_review":
        return formal, ""
    if state == "supplement_requested":
        return ["submit", "start_formal_review"] + (
            ["request_supplement", "resubmit"] if rng.random() < 0.1 else []
        ) + ["request_supplement"], ""
    if state == "expert_review":
        return passed, ""
    if state == "bureau_review":
        return bureau, ""
    if state == "approved_pending_notice":
        return bureau + ["approve"], ""
    if state == "in_public_notice":
        return bureau + ["approve", "publish_notice"], ""
    if state == "approved":
        return bureau + ["approve", "publish_notice", "finalize"], ""
    if state == "declined":
        kind = rng.choices(
            ["formal", "expert", "bureau", "objection", "superseded"], [25, 30 if competitive else 0, 40, 3, 2]
        )[0]
        if kind == "formal":
            return formal + ["decline"], kind
        if kind == "expert":
            return passed + ["decline"], kind
        if kind == "objection":
            return bureau + ["approve", "publish_notice", "uphold_objection"], kind
        if kind == "superseded":
            return bureau + ["approve", "decline_superseded"], kind
        return bureau + ["decline"], kind
    # withdrawn: from the draft or from any open stage
    cut = rng.choice([0, 1, 2, len(bureau)])
    return bureau[:cut] + ["withdraw"], ""


class Planner:
    def __init__(self, *, scale: float, seed: int) -> None:
        from django.utils import timezone

        from portal.workdays import WorkCalendar

        self.rng = random.Random(seed)
        self.scale = scale
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.calendar = WorkCalendar(START - dt.timedelta(days=30), self.today + dt.timedelta(days=400))
        self.timings: dict[str, float] = {}
        self.ids = Ids()

    # -- helpers
    @cache  # noqa: B019 - one generator per process
    def workdays(self, day: dt.date, n: int) -> dt.date:
        return self.calendar.add_workdays(day, n)

    def local(self, t: dt.datetime) -> dt.date:
        return t.astimezone(self.tz).date()

    def at_local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def step(self, name: str):
        gen = self

        class _Step:
            def __enter__(self):
                self.t = time.perf_counter()
                print(f"  {name} …", end="", flush=True)

            def __exit__(self, *exc):
                took = time.perf_counter() - self.t
                gen.timings[name] = round(took, 2)
                print(f" {took:.1f} s", flush=True)

        return _Step()

    def load_catalogue(self) -> None:
        from vouchers.models import Programme
        from vouchers.selectors import parameters_in_force

        self.programmes = {p.code: p for p in Programme.objects.select_related("policy").order_by("pk")}
        self.params = {code: parameters_in_force(programme=p, on=self.today) for code, p in self.programmes.items()}
        self.pdf = vocab.tiny_pdf()
        self.pdf_sha = hashlib.sha256(self.pdf).hexdigest()
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        self.files = {}
        for kind, name in (
            ("attachment", "attachments/bench/shared.pdf"),
            ("letter", "letters/bench/shared.pdf"),
            ("invoice", "invoices/bench/shared.pdf"),
        ):
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(self.pdf))
            self.files[kind] = name

    def make_staff(self) -> None:
        from django.contrib.auth.hashers import make_password

        from portal.models import DISTRICT_ROLES, Jurisdiction, User

        self.password = make_password(PASSWORD)
        self.users: dict[int, str] = {}  # id → e-mail (audit labels)
        self.staff: dict[str, list[int]] = {
            "reviewer": [],
            "expert": [],
            "bureau_admin": [],
            "sysadmin": [],
            "provider": [],
        }
        counts = {
            "bureau_admin": 3,
            "sysadmin": 1,
            "reviewer": max(4, round(12 * self.scale**0.5)),
            "expert": max(6, round(40 * self.scale**0.5)),
            "provider": max(3, round(15 * self.scale**0.5)),
        }
        names = {
            "bureau_admin": "admin",
            "sysadmin": "sysadmin",
            "reviewer": "reviewer",
            "expert": "expert",
            "provider": "provider",
        }
        rows = []
        self.by_district: dict[tuple[str, str], list[int]] = {}
        districts = Jurisdiction.values  # 所属区域: the staff of each role taken in turn, Huangpu first
        for role, n in counts.items():
            for i in range(1, n + 1):
                uid = self.ids.take(User)
                email = f"{names[role]}{i:02d}@bench.example.cn"
                self.users[uid] = email
                self.staff[role].append(uid)
                district = districts[(i - 1) % len(districts)] if role in DISTRICT_ROLES else ""
                rows.append((uid, email, role, vocab.person(self.rng), district))
                if district:
                    self.by_district.setdefault((role, district), []).append(uid)
        with Copy(
            User,
            [
                "id",
                "password",
                "username",
                "email",
                "role",
                "full_name",
                "is_active",
                "date_joined",
                "email_confirmed_at",
                "is_staff",
                "is_superuser",
                "district",
            ],
            self.now,
        ) as c:
            for uid, email, role, name, district in rows:
                c.row(
                    uid,
                    self.password,
                    email,
                    email,
                    role,
                    name,
                    True,
                    self.now,
                    self.now,
                    role in ("bureau_admin", "sysadmin"),
                    role == "sysadmin",
                    district,
                )
        self.admins = self.staff["bureau_admin"]

    def district_staff(self, role: str, programme) -> list[int]:
        """The staff of a role who work on the programme's district (所属区域 of its policy)."""
        return self.by_district.get((role, programme.policy.district)) or self.staff[role]

    def admin_of(self, programme) -> int:
        return self.district_staff("bureau_admin", programme)[0]

    def make_windows(self) -> None:
        from vouchers.models import ApplicationWindow

        self.windows: dict[int, list[tuple[dt.datetime, dt.datetime, int, str]]] = {}
        quarters = []
        day = START
        while day <= self.today:
            end = dt.date(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1) - dt.timedelta(days=1)
            quarters.append((day, end, f"{day.year}年第{(day.month - 1) // 3 + 1}批"))
            day = end + dt.timedelta(days=1)
        with Copy(ApplicationWindow, ["id", "programme_id", "name", "opens_at", "closes_at"], self.now) as c:
            for p in self.programmes.values():
                rows = []
                for start, end, name in quarters:
                    end = min(end, p.policy.valid_to)
                    if end < start:
                        continue
                    wid = self.ids.take(ApplicationWindow)
                    opens, closes = self.at_local(start, 9), self.at_local(end, 17, 30)
                    c.row(wid, p.pk, name, opens, closes)
                    rows.append((opens, closes, wid, name))
                self.windows[p.pk] = rows

    def window_for(self, programme, at: dt.datetime) -> int | None:
        rows = self.windows.get(programme.pk, [])
        i = bisect.bisect_right([r[0] for r in rows], at) - 1
        return rows[i][2] if i >= 0 else None

    def make_enterprises(self) -> None:
        from applications.models import Enterprise, EnterpriseMember
        from applications.uscc import ALPHABET, check_character
        from bench.bulk import Copy
        from portal.models import User

        rng = self.rng
        n = max(50, round(FULL["enterprises"] * self.scale))
        names = vocab.enterprise_names(rng, n)
        first = self.ids.take(Enterprise, n)
        self.enterprises: list[Ent] = []
        self.by_district: dict[str, list[Ent]] = {"huangpu": [], "tianhe": [], "other": []}
        industries = ["ai", "software_it", "internet", "manufacturing", "data", "compute", "research", "other"]
        ent_rows, user_rows, member_rows = [], [], []
        for i in range(n):
            eid = first + i
            district = rng.choices(["huangpu", "tianhe", "other"], [58, 36, 6])[0]
            # 统一社会信用代码: 91 (enterprise) + 440112/440106 (Huangpu/Tianhe) + 9-character code + check
            area = {"huangpu": "440112", "tianhe": "440106"}.get(district, "440113")
            body = f"91{area}" + "".join(rng.choice(ALPHABET) for _ in range(9))
            code = body + check_character(body)
            owner = self.ids.take(User)
            agent = self.ids.take(User) if rng.random() < 0.4 else None
            ent = Ent(
                eid,
                names[i],
                code,
                district,
                rng.random() < 0.3,
                owner,
                agent,
                vocab.address(rng, district),
                vocab.person(rng),
            )
            self.enterprises.append(ent)
            self.by_district[district].append(ent)
            created = self.now - dt.timedelta(days=rng.uniform(20, (self.today - START).days + 60))
            tax = district if rng.random() < 0.97 else "other"
            ent_rows.append(
                (
                    eid,
                    ent.name,
                    code,
                    district,
                    tax,
                    district,
                    rng.choices(industries, [40, 20, 8, 10, 8, 5, 4, 5])[0],
                    ent.above_scale,
                    rng.random() < 0.3,
                    ent.legal,
                    vocab.person(rng),
                    vocab.phone(rng),
                    f"contact@e{eid}.example.cn",
                    ent.address,
                    created,
                )
            )
            for uid, prefix, role in ((owner, "o", "owner"), (agent, "a", "agent")):
                if uid is None:
                    continue
                email = f"{prefix}{eid}@ent.example.cn"
                self.users[uid] = email
                user_rows.append((uid, email, vocab.person(rng), vocab.phone(rng), created))
                member_rows.append((self.ids.take(EnterpriseMember), eid, uid, role, created))
        with Copy(
            User,
            [
                "id",
                "password",
                "username",
                "email",
                "full_name",
                "phone",
                "role",
                "is_active",
                "date_joined",
                "email_confirmed_at",
            ],
            self.now,
        ) as c:
            for uid, email, name, ph, created in user_rows:
                c.row(uid, self.password, email, email, name, ph, "enterprise", True, created, created)
        with Copy(
            Enterprise,
            [
                "id",
                "name",
                "credit_code",
                "registered_district",
                "tax_district",
                "stats_district",
                "industry",
                "is_above_scale",
                "is_startup",
                "legal_representative",
                "contact_name",
                "contact_phone",
                "contact_email",
                "address",
                "created_at",
                "updated_at",
            ],
            self.now,
        ) as c:
            for r in ent_rows:
                c.row(*r, r[-1])
        with Copy(EnterpriseMember, ["id", "enterprise_id", "user_id", "member_role", "created_at"], self.now) as c:
            for r in member_rows:
                c.row(*r)
        self.audit_rows = [
            (
                row[-1],
                ent.owner,
                "enterprise.register",
                "applications.enterprise",
                ent.id,
                None,
                {"credit_code": ent.code, "name": ent.name},
                "",
            )
            for row, ent in zip(ent_rows, self.enterprises, strict=True)
        ]
        # A few enterprises apply a lot (groups with many projects); most apply once or twice.
        self.weights = {
            d: list(itertools.accumulate(min(50.0, rng.paretovariate(1.3)) for _ in ents))
            for d, ents in self.by_district.items()
        }

    def pick_enterprise(self, district: str) -> Ent:
        if self.rng.random() < 0.03:
            district = "other"  # some apply from outside the district (and are refused)
        ents, cum = self.by_district[district], self.weights[district]
        return ents[bisect.bisect_left(cum, self.rng.random() * cum[-1])]

    # -- estimates
    def make_templates(self) -> None:
        from vouchers import calculator
        from vouchers.selectors import estimate_as_json, programme_spec

        rng = self.rng
        self.templates: dict[str, list[Tpl]] = {}
        for code, p in self.programmes.items():
            spec = programme_spec(p)
            industry = spec.industries[0][1] if spec.industries else "人工智能"
            facts = calculator.EnterpriseFacts(
                above_scale=True, district=p.policy.district, industry=industry, credit_code="91440112MA5D00000X"
            )
            on = min(self.today, p.policy.valid_to)
            found: list[Tpl] = []
            for attempt in range(400):
                if len(found) >= 40:
                    break
                lo, hi = (5, 8.5) if attempt < 200 else (6, 10.7)
                if code == "hp-compute-voucher":  # compute bills of small firms (the voucher's total is 10 million)
                    lo, hi = 4.3, 5.8
                inputs = {}
                for meta in spec.inputs:
                    kind = meta["type"]
                    if kind == "decimal":
                        inputs[meta["name"]] = str(Decimal(round(10 ** rng.uniform(lo, hi), -3)).quantize(CENT))
                    elif kind == "int":
                        inputs[meta["name"]] = rng.randint(1, 50)
                    elif kind == "bool":
                        inputs[meta["name"]] = meta.get("must_be", True)
                    elif kind == "choice":
                        inputs[meta["name"]] = str(rng.choice(meta["choices"])["value"])
                    elif kind == "uscc":
                        body = f"91440106{rng.randint(10**8, 10**9 - 1)}"
                        inputs[meta["name"]] = body + calculator.uscc_check_char(body)
                try:
                    est = calculator.estimate(
                        spec=spec, params=self.params[code], inputs=inputs, on=on, enterprise=facts
                    )
                except calculator.InputError:
                    continue
                if est.eligible and est.amount > 0:
                    found.append(
                        Tpl(inputs, estimate_as_json(est), est.amount, {ln.line: ln.amount for ln in est.lines})
                    )
            if not found:
                raise RuntimeError(f"{code}: the calculator found no eligible inputs")
            self.templates[code] = found

    # -- planning
    def plan_applications(self) -> None:
        rng = self.rng
        n = max(200, round(FULL["applications"] * self.scale))
        codes = list(PROGRAMME_WEIGHTS)
        pweights = list(itertools.accumulate(PROGRAMME_WEIGHTS[c] for c in codes))
        states = list(STATE_WEIGHTS)
        sweights = list(itertools.accumulate(STATE_WEIGHTS.values()))
        max_age = (self.now - self.at_local(START, 9)).total_seconds() / 86400
        self.apps: list[App] = []
        # Weekly publication days of public notices, one weekday per programme.
        self.notice_days: dict[str, list[dt.date]] = {}
        for i, code in enumerate(codes):
            first = START + dt.timedelta(days=35 + (i % 5) - START.weekday())
            days, d = [], first
            while d <= self.today:
                days.append(d)
                d += dt.timedelta(days=7)
            self.notice_days[code] = days
        for _ in range(n):
            code = codes[bisect.bisect_left(pweights, rng.random() * pweights[-1])]
            p = self.programmes[code]
            competitive = p.review_path == "competitive"
            state = states[bisect.bisect_left(sweights, rng.random() * sweights[-1])]
            if state == "expert_review" and not competitive:
                state = "bureau_review"
            ent = self.pick_enterprise(p.policy.district)
            if ent.district != p.policy.district and state not in ("draft", "withdrawn"):
                state = "declined"
            route, kind = route_for(state, competitive, rng)
            if ent.district != p.policy.district and state == "declined":
                route, kind = route[:2] + ["decline"], "formal"  # outside the district: refused at once
            app = App(programme=p, ent=ent, state=state, route=route, times=[], created_at=self.now, decline_kind=kind)
            app.tpl = rng.choice(self.templates[code]) if state != "draft" or rng.random() < 0.6 else None
            if p.formula == "two_line":
                others = self.by_district["tianhe"]
                app.buyer = rng.choice(others)
                while app.buyer is ent and len(others) > 1:
                    app.buyer = rng.choice(others)
            if "approve" in route:
                reduce = rng.random() < 0.2
                for line, top in app.tpl.lines.items():
                    amount = (
                        (top * Decimal(str(rng.uniform(0.6, 0.95)))).quantize(Decimal("100"), ROUND_DOWN)
                        if reduce
                        else top
                    )
                    app.award_lines[line] = max(amount, CENT)
            self.time_route(app, max_age if code != "hp-compute-voucher" else min(max_age, 300))
            self.apps.append(app)

    def time_route(self, app: App, max_age: float) -> None:
        """Timestamps of each step, counted back from the last one (public notices on their weekly day)."""
        rng = self.rng
        route = app.route
        delays = [rng.uniform(*DELAY.get(a, (1, 5))) for a in route]
        span = sum(delays)
        code = app.programme.code
        anchor_step = len(route) - 1
        if "publish_notice" in route:
            anchor_step = route.index("publish_notice")
            days = self.notice_days[code]
            if app.state == "in_public_notice":
                choices = [d for d in days if self.workdays(d, 7) >= self.today]
            else:
                limit = self.today - dt.timedelta(days=14)
                choices = [d for d in days if d <= limit and (self.today - d).days + span < max_age - 5]
            day = rng.choice(choices or days[-1:])
            anchor = self.at_local(day, 9, 30)
            span = sum(delays[:anchor_step])  # before the publication
        elif not route:  # a draft
            anchor = self.now - dt.timedelta(days=rng.uniform(0, RECENT["draft"]))
        else:
            recent = RECENT.get(app.state)
            room = max(0.5, max_age - span - 3)
            age = rng.uniform(0, min(recent, room)) if recent else rng.uniform(0, room)
            anchor = self.now - dt.timedelta(days=age)
        times = [anchor] * len(route)
        t = anchor
        for i in range(anchor_step - 1, -1, -1):
            t = t - dt.timedelta(days=delays[i + 1])
            times[i] = t
        created = (times[0] - dt.timedelta(days=delays[0])) if route else anchor - dt.timedelta(days=rng.uniform(0, 5))
        app.created_at = min(max(created, self.at_local(START, 9)), times[0]) if route else created
        if "publish_notice" in route:
            ends = self.workdays(self.local(anchor), 7)
            after = anchor_step + 1
            if after < len(route):
                if route[after] == "finalize":
                    times[after] = self.at_local(ends + dt.timedelta(days=1), 0, 15)
                else:  # uphold_objection, within the period's checks
                    times[after] = min(anchor + dt.timedelta(days=rng.uniform(3, 9)), self.now)
            app.notice_key = (code, self.local(anchor))
        app.times = times

    def enforce_bounds(self) -> None:
        """Keep awards within the programmes' totals, quotas and per-enterprise caps, in decision order:
        what no longer fits is declined at the bureau's decision instead (as the ranking would)."""
        used: dict[tuple, Decimal] = {}
        units: dict[tuple, set] = {}
        held = sorted(
            (a for a in self.apps if "approve" in a.route and a.decline_kind not in ("objection", "superseded")),
            key=lambda a: a.at("approve"),
        )
        for app in held:
            code, params = app.programme.code, self.params[app.programme.code]
            year = self.local(app.at("approve")).year
            draws: list[tuple[tuple, Decimal, Decimal]] = []
            total = sum(app.award_lines.values(), ZERO)
            if "programme_total_period" in params:
                draws.append(((code, "total"), total, params["programme_total_period"]))
            for line, amount in app.award_lines.items():
                ent = self.line_enterprise(app, line)
                if "cap_per_enterprise_year" in params:
                    draws.append(((code, "ey", ent.id, year, ""), amount, params["cap_per_enterprise_year"]))
                if "cap_per_enterprise_period" in params:
                    draws.append(((code, "ep", ent.id, 0, ""), amount, params["cap_per_enterprise_period"]))
                if line and f"cap_{line}_year" in params:
                    draws.append(((code, "ey", ent.id, year, line), amount, params[f"cap_{line}_year"]))
            fits = all(used.get(k, ZERO) + a <= lim for k, a, lim in draws)
            quota_keys = []
            for param, (what, yearly) in (
                ("awardee_quota_period", ("ent", False)),
                ("project_quota_period", ("app", False)),
                ("project_quota_year", ("app", True)),
            ):
                if param in params:
                    key = (code, param, year if yearly else 0)
                    member = app.ent.id if what == "ent" else id(app)
                    have = units.setdefault(key, set())
                    if member not in have and len(have) >= params[param]:
                        fits = False
                    quota_keys.append((key, member))
            if not fits:
                cut = app.route.index("approve")
                app.route, app.times = app.route[:cut] + ["decline"], app.times[: cut + 1]
                app.state, app.decline_kind, app.award_lines, app.notice_key = "declined", "quota", {}, None
                continue
            for k, a, _lim in draws:
                used[k] = used.get(k, ZERO) + a
            for key, member in quota_keys:
                units[key].add(member)

    def line_enterprise(self, app: App, line: str) -> Ent:
        return app.buyer if line == "buyer" and app.buyer is not None else app.ent

    def number_applications(self) -> None:
        from applications.models import Application

        self.apps.sort(key=lambda a: a.created_at)
        first = self.ids.take(Application, len(self.apps))
        serial: dict[int, int] = {}
        for i, app in enumerate(self.apps):
            app.id = first + i
            year = self.local(app.created_at).year
            serial[year] = serial.get(year, 0) + 1
            app.reference = f"GZAI-{year}-{serial[year]:06d}"
            submitted = app.submitted_at
            app.window_id = self.window_for(app.programme, submitted) if submitted else None
            if app.route[1:2] == ["start_formal_review"] or (app.route == ["submit"] and self.rng.random() < 0.4):
                app.reviewer = self.rng.choice(self.district_staff("reviewer", app.programme))
        self.sequences = serial

    def due_date(self, app: App) -> dt.date | None:
        if not app.route:
            return None
        when = self.local(app.times[-1])
        if app.state == "formal_review":
            return self.workdays(when, 5)
        if app.state == "supplement_requested":
            return self.workdays(when, 5)
        if app.state == "expert_review":
            return self.workdays(when, 10)
        if app.state == "bureau_review":
            return self.workdays(when, 10)
        if app.state == "in_public_notice":
            return self.workdays(when, 7)
        return None

    def actor_of(self, app: App, action: str) -> int | None:
        if action in ("submit", "resubmit", "withdraw"):
            return app.ent.owner
        if action in ("publish_notice", "uphold_objection"):
            return self.admin_of(app.programme)
        if action == "finalize":
            return None
        return app.reviewer or self.admin_of(app.programme)
