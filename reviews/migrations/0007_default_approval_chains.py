"""The default approval chains (审批链) of the bureau's money decisions, editable afterwards by system
administrators in the Django admin:

- up to 500,000 元: 经办 (the assigned reviewer or an administrator proposes) → 复核 (an
  administrator other than the proposer);
- above 500,000 元: 经办 → 复核 → 分管领导 (an authorised leader, reviews' AuthorisedApprover).

The 500,000 元 line is the portal's reading (平台口径) of "重大资金安排须经分管领导审批" in the
bureaus' internal fund-management rules; the policies themselves name no figure. A decline counts
the amount at stake (the application's estimate). Seeded only where no chain exists yet."""

from decimal import Decimal

from django.db import migrations

THRESHOLD = Decimal("500000.00")
DEFAULT_CHAINS = [
    {"name": "常规审批（50万元及以下）", "amount_above": None, "amount_up_to": THRESHOLD,
     "steps": [("handler", "reviewing_staff"), ("checker", "bureau_admin")]},
    {"name": "大额审批（50万元以上）", "amount_above": THRESHOLD, "amount_up_to": None,
     "steps": [("handler", "reviewing_staff"), ("checker", "bureau_admin"), ("leader", "leader")]},
]
NOTE = ("平台默认口径：决定金额（不予支持按申报测算金额）50万元及以下经办、复核两级；50万元以上增加分管领导审批。"
        "可由系统管理员按本局内部资金审批制度调整。")


def seed_default_chains(apps, schema_editor=None):
    """Create the default chains unless a chain exists (also called by the tests after a flush)."""
    ApprovalChain = apps.get_model("reviews", "ApprovalChain")
    ApprovalChainStep = apps.get_model("reviews", "ApprovalChainStep")
    if ApprovalChain.objects.exists():
        return
    for spec in DEFAULT_CHAINS:
        chain = ApprovalChain.objects.create(name=spec["name"], amount_above=spec["amount_above"],
                                             amount_up_to=spec["amount_up_to"], note=NOTE)
        ApprovalChainStep.objects.bulk_create([
            ApprovalChainStep(chain=chain, position=n, role=role, holder=holder)
            for n, (role, holder) in enumerate(spec["steps"], start=1)])


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0006_approval_chains_and_collective_decisions'),
    ]

    operations = [
        migrations.RunPython(seed_default_chains, migrations.RunPython.noop),
    ]
