# 补正 returns move from reviews to applications (the application owns what it was asked): the
# existing tables are taken over as they are (state only), then renamed to this app's names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0007_enterprise_verification'),
        ('reviews', '0007_default_approval_chains'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='SupplementRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='退回时间')),
                ('due_date', models.DateField(verbose_name='补正截止日期')),
                ('review_due_date', models.DateField(blank=True, help_text='提交后5个工作日内须一次性告知。', null=True, verbose_name='应告知期限')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='补正提交时间')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supplement_requests', to='applications.application', verbose_name='申报')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人')),
            ],
            options={
                'verbose_name': '补正通知',
                'verbose_name_plural': '补正通知',
                'ordering': ['created_at', 'id'],
                'db_table': 'reviews_supplementrequest',
            },
        ),
        migrations.CreateModel(
            name='SupplementItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=40, verbose_name='材料/事项代码')),
                ('label', models.CharField(max_length=200, verbose_name='材料/事项')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='补正要求')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='applications.supplementrequest')),
            ],
            options={
                'verbose_name': '补正事项',
                'verbose_name_plural': '补正事项',
                'ordering': ['position', 'id'],
                'constraints': [models.UniqueConstraint(fields=('request', 'code'), name='supplement_item_once')],
                'db_table': 'reviews_supplementitem',
            },
        ),
        ]),
        migrations.AlterModelTable(name='supplementrequest', table=None),
        migrations.AlterModelTable(name='supplementitem', table=None),
    ]
