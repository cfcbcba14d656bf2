"""The people of the generated district: the staff of each role by district (所属区域), the windows of
every programme, and the enterprises with their owners and agents."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools

from bench import vocab
from bench.bulk import Copy

from .workflow import FULL, PASSWORD, START, Ent


class People:
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
