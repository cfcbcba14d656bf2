"""The plan of the generated district: the catalogue, estimates from the real calculator, and each
application's route through the workflow with the time of every step (public notices on their weekly
day), kept within the programmes' totals, quotas and per-enterprise caps. The staff, windows and
enterprises are people.py's; the shares, delays and the plan of one application are workflow.py's."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
import time
from decimal import ROUND_DOWN, Decimal
from functools import cache

from bench import vocab
from bench.bulk import Ids

from .workflow import CENT, DELAY, FULL, PROGRAMME_WEIGHTS, RECENT, START, STATE_WEIGHTS, ZERO, App, Ent, Tpl, route_for


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
