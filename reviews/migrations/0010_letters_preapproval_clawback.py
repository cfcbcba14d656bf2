# Letters about a pre-approval (事前同意函) or a claw-back (追回决定书); each letter names its programme.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0007_enterprise_verification'),
        ('reviews', '0009_service_ratings'),
        ('vouchers', '0008_ledger_release_figure_choices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LetterIssuer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('authority', models.CharField(max_length=100, unique=True, verbose_name='发文机关')),
                ('series_words', models.JSONField(blank=True, default=dict, help_text='各类文书的文号代字；未设置的类别用默认代字。', verbose_name='文号代字')),
                ('repayment_account_name', models.CharField(blank=True, max_length=200, verbose_name='退回款收款户名')),
                ('repayment_bank', models.CharField(blank=True, max_length=200, verbose_name='退回款开户银行')),
                ('repayment_account_number', models.CharField(blank=True, max_length=40, verbose_name='退回款收款账号')),
            ],
            options={
                'verbose_name': '发文机关设置',
                'verbose_name_plural': '发文机关设置',
                'ordering': ['authority'],
            },
        ),
        migrations.AddField(
            model_name='letter',
            name='clawback',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='vouchers.clawback', verbose_name='追回决定'),
        ),
        migrations.AddField(
            model_name='letter',
            name='preapproval',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='applications.preapproval', verbose_name='事前同意'),
        ),
        migrations.AddField(
            model_name='letter',
            name='programme',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vouchers.programme', verbose_name='申报项目'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='application',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='applications.application', verbose_name='申报'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='kind',
            field=models.CharField(choices=[('approval', '核定通知'), ('decline', '不予支持通知'), ('supplement', '补正通知书'), ('preapproval', '事前同意函'), ('clawback', '追回决定书')], max_length=12, verbose_name='文书类别'),
        ),
        migrations.AddConstraint(
            model_name='letter',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('application__isnull', False), ('preapproval__isnull', True), models.Q(('kind', 'preapproval'), _negated=True)), models.Q(('application__isnull', True), ('preapproval__isnull', False), ('kind', 'preapproval')), _connector='OR'), name='letter_about_one_subject'),
        ),
        migrations.AddConstraint(
            model_name='letter',
            constraint=models.CheckConstraint(condition=models.Q(('clawback__isnull', True), ('kind', 'clawback'), _connector='OR'), name='letter_clawback_only_on_its_kind'),
        ),
        migrations.AddConstraint(
            model_name='letter',
            constraint=models.UniqueConstraint(condition=models.Q(('preapproval__isnull', False), ('revoked_at__isnull', True)), fields=('preapproval',), name='letter_preapproval_once'),
        ),
        migrations.AddConstraint(
            model_name='letter',
            constraint=models.UniqueConstraint(condition=models.Q(('clawback__isnull', False), ('revoked_at__isnull', True)), fields=('clawback',), name='letter_clawback_once'),
        ),
    ]
