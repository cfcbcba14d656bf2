"""Loads demo data for the portal (idempotent: running it twice changes nothing) and prints the
demo logins of each role. Used by bin/demo; never run in production."""

from __future__ import annotations

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applications.models import District, Enterprise, EnterpriseMember, Industry
from portal.models import Jurisdiction, Role, User
from portal.uscc import check_character
from reviews.models import AuthorisedApprover

DEMO_PASSWORD = "Demo-2026-pass"
LEADERS = ("leader@demo.cn", "leader-th@demo.cn")  # 分管领导 of each district

HP, TH = Jurisdiction.HUANGPU, Jurisdiction.TIANHE
CAST = [
    # email, full name, role, enterprise key, member role, district (所属区域 of bureau staff and experts)
    ("owner-a@demo.cn", "张明（甲公司法人）", Role.ENTERPRISE, "A", EnterpriseMember.MemberRole.OWNER, ""),
    ("agent-a@demo.cn", "李娜（甲公司经办人）", Role.ENTERPRISE, "A", EnterpriseMember.MemberRole.AGENT, ""),
    ("owner-b@demo.cn", "王强（乙公司法人）", Role.ENTERPRISE, "B", EnterpriseMember.MemberRole.OWNER, ""),
    # registers 丙公司 in demo_seed_verification: its claim waits in the bureau's verification queue
    ("claimant-c@demo.cn", "陈丙（丙公司法人，待实名核验）", Role.ENTERPRISE, None, None, ""),
    ("reviewer@demo.cn", "陈审核", Role.REVIEWER, None, None, HP),
    ("reviewer2@demo.cn", "赵审核", Role.REVIEWER, None, None, HP),
    ("expert1@demo.cn", "刘专家", Role.EXPERT, None, None, HP),
    ("expert2@demo.cn", "黄专家", Role.EXPERT, None, None, HP),
    ("expert3@demo.cn", "周专家", Role.EXPERT, None, None, HP),
    ("admin@demo.cn", "吴管理员", Role.BUREAU_ADMIN, None, None, HP),
    ("leader@demo.cn", "孙局长（分管领导）", Role.BUREAU_ADMIN, None, None, HP),
    ("reviewer-th@demo.cn", "林审核", Role.REVIEWER, None, None, TH),
    ("expert-th@demo.cn", "郭专家", Role.EXPERT, None, None, TH),
    ("admin-th@demo.cn", "孙管理员", Role.BUREAU_ADMIN, None, None, TH),
    ("leader-th@demo.cn", "钱局长（分管领导）", Role.BUREAU_ADMIN, None, None, TH),
    ("provider@demo.cn", "郑服务商", Role.PROVIDER, None, None, ""),
    ("sysadmin@demo.cn", "系统管理员", Role.SYSADMIN, None, None, ""),
]

ENTERPRISES = {
    "A": dict(
        name="广州甲智能科技有限公司",
        credit_code="91440101MA5CKGXK1H",
        registered_district=District.HUANGPU,
        tax_district=District.HUANGPU,
        stats_district=District.HUANGPU,
        industry=Industry.AI,
        is_above_scale=True,
        is_startup=False,
        legal_representative="张明",
        contact_name="李娜",
        contact_phone="020-82000001",
        contact_email="agent-a@demo.cn",
        address="广州市黄埔区科学大道1号",
    ),
    "B": dict(
        name="广州乙数据服务有限公司",
        credit_code="91440106MA9Y8K2R3L",
        registered_district=District.TIANHE,
        tax_district=District.TIANHE,
        stats_district=District.TIANHE,
        industry=Industry.SOFTWARE_IT,
        is_above_scale=True,
        is_startup=True,
        legal_representative="王强",
        contact_name="王强",
        contact_phone="020-38000002",
        contact_email="owner-b@demo.cn",
        address="广州市天河区天河路2号",
    ),
}


def _fix_check(code: str) -> str:
    return code[:17] + check_character(code[:17])


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        commands = get_commands()
        if "catalogue_load" in commands:
            call_command("catalogue_load", verbosity=0)
        with transaction.atomic():
            enterprises = {}
            for key, data in ENTERPRISES.items():
                data = {**data, "credit_code": _fix_check(data["credit_code"])}
                enterprises[key], _ = Enterprise.objects.get_or_create(credit_code=data["credit_code"], defaults=data)
            for email, name, role, ent_key, member_role, district in CAST:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User(
                        username=email,
                        email=email,
                        full_name=name,
                        role=role,
                        email_confirmed_at=timezone.now(),
                        is_staff=role in (Role.BUREAU_ADMIN, Role.SYSADMIN),
                        is_superuser=role == Role.SYSADMIN,
                        district=district,
                    )
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                elif user.district != district:  # a demo database from before staff had districts
                    User.objects.filter(pk=user.pk).update(district=district)
                if ent_key and not EnterpriseMember.objects.filter(user=user).exists():
                    EnterpriseMember.objects.create(user=user, enterprise=enterprises[ent_key], member_role=member_role)
            # 分管领导: the leader's step of the approval chains above 500,000 元 (四眼原则)
            for email in LEADERS:
                AuthorisedApprover.objects.get_or_create(
                    user=User.objects.get(email=email), defaults={"title": "分管副局长", "note": "演示数据"}
                )
        for extra in ("demo_seed_verification", "demo_seed_programmes", "demo_seed_reviews", "demo_seed_vouchers"):
            if extra in commands:
                call_command(extra, verbosity=0)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, name, role, _e, _m, district in CAST:
            where = Jurisdiction(district).label if district else ("全部区域" if role == Role.SYSADMIN else "")
            self.stdout.write(f"  {Role(role).label:<10} {email:<22} {name:<12} {where}")
