"""th-events in two steps: the pre-approvals' own reference series, and the claims' self-declared
`preapproved` input dropped (the catalogue no longer declares it: the claim names an approval)."""

from django.db import migrations, models


def drop_preapproved_input(apps, schema_editor):
    """The calculator refuses inputs a programme does not declare: take the old yes/no answer out of
    th-events claims (their drafts' raw text too), so that their estimates still compute."""
    Application = apps.get_model("applications", "Application")
    for app in Application.objects.filter(programme__code="th-events").only("pk", "inputs", "draft_data"):
        inputs = dict(app.inputs or {})
        draft = dict(app.draft_data or {})
        draft_inputs = dict(draft.get("inputs") or {})
        if "preapproved" not in inputs and "preapproved" not in draft_inputs:
            continue
        inputs.pop("preapproved", None)
        if "inputs" in draft:
            draft_inputs.pop("preapproved", None)
            draft["inputs"] = draft_inputs
        Application.objects.filter(pk=app.pk).update(inputs=inputs, draft_data=draft)


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0005_basis_date_and_preapproval"),
    ]

    operations = [
        migrations.CreateModel(
            name="PreApprovalSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveIntegerField(unique=True)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "事前申请编号序列",
                "verbose_name_plural": "事前申请编号序列",
            },
        ),
        migrations.RunPython(drop_preapproved_input, migrations.RunPython.noop),
    ]
