"""Quota and rate keyed by the app as proven by its secret; verified credentials; one site default;
invitation tokens stored as digests; check kinds; token lease holders; a wider credential audit."""

import hashlib

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

PORTAL_API_IDS = [
    "com.alibaba.product:alibaba.category.get-1",
    "com.alibaba.fenxiao.crossborder:category.translation.getById-1",
    "com.alibaba.fenxiao.crossborder:product.search.keywordQuery-1",
    "com.alibaba.fenxiao.crossborder:product.image.upload-1",
    "com.alibaba.fenxiao.crossborder:product.search.imageQuery-1",
    "com.alibaba.fenxiao.crossborder:product.search.queryProductDetail-1",
    "com.alibaba.product:alibaba.product.get-1",
    "com.alibaba.fenxiao.crossborder:product.search.querySellerOfferList-1",
    "com.alibaba.account:alibaba.account.agent.crossBasic-1",
    "com.alibaba.account:loginid.openuid.encrypt-1",
    "com.alibaba.account:account.wangwangUrl.get-1",
]


def forwards(apps, schema_editor):
    from sourcing.core.crypto import decrypt
    from sourcing.connections.models import fingerprint

    AppCredential = apps.get_model("sourcing", "AppCredential")
    ApiUsage = apps.get_model("sourcing", "ApiUsage")
    ApiPermission = apps.get_model("sourcing", "ApiPermission")
    Invitation = apps.get_model("sourcing", "Invitation")
    # Keep one owner-less credential (the site default) before the constraint arrives.
    defaults = list(AppCredential.objects.filter(owner__isnull=True).order_by("pk"))
    for extra in defaults[1:]:
        extra.delete()
    for credential in AppCredential.objects.all():
        try:
            secret = decrypt(credential.app_secret_encrypted) if credential.app_secret_encrypted else ""
        except ValueError:
            secret = ""
        credential.secret_fingerprint = fingerprint(credential.app_key, secret)
        credential.save(update_fields=["secret_fingerprint"])
        ApiUsage.objects.filter(credential=credential).update(app=f"{credential.app_key}:{credential.secret_fingerprint}")
    # Internal calls (system:currentTime) are not permissions anybody asks 1688 for.
    ApiPermission.objects.exclude(api__in=PORTAL_API_IDS).delete()
    for invitation in Invitation.objects.all():
        invitation.token_digest = hashlib.sha256(invitation.token.encode("utf-8")).hexdigest()
        invitation.save(update_fields=["token_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("sourcing", "0002_credentials"),
    ]

    operations = [
        migrations.AlterModelOptions(name="connectioncheck", options={"ordering": ["-created_at", "-pk"]}),
        migrations.AlterModelOptions(name="secretaudit", options={"ordering": ["-at"], "verbose_name": "credential audit"}),
        migrations.RemoveConstraint(model_name="apiusage", name="one_usage_row_per_day"),
        migrations.AddField(
            model_name="apiusage",
            name="app",
            field=models.CharField(default="", help_text="App Key and secret fingerprint", max_length=90),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="appcredential",
            name="secret_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="appcredential",
            name="verified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="appcredential",
            name="verify_error",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="candidate_secret_encrypted",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="kind",
            field=models.CharField(
                choices=[("test", "Connection test"), ("verify", "Permission check"),
                         ("credential", "App Key and secret check"), ("secret", "New secret check")],
                default="test", max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="connectioncheck", name="summary", field=models.CharField(blank=True, max_length=500)
        ),
        migrations.AddField(
            model_name="invitation",
            name="token_digest",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="invitation",
            name="token_for_mail_encrypted",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="oauthtoken",
            name="lease_holder",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="apicalllog",
            name="probe",
            field=models.BooleanField(
                default=False, help_text="made by the portal to test a permission or a connection"
            ),
        ),
        migrations.AddField(model_name="secretaudit", name="app_key", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name="secretaudit", name="detail", field=models.CharField(blank=True, max_length=300)),
        migrations.AlterField(
            model_name="apiusage",
            name="credential",
            field=models.ForeignKey(
                help_text="first user of the row", null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="usage", to="sourcing.appcredential",
            ),
        ),
        migrations.AlterField(
            model_name="secretaudit",
            name="action",
            field=models.CharField(
                choices=[("create", "Created"), ("update", "Changed"), ("reveal", "Revealed"),
                         ("reset", "Secret replaced"), ("reveal_denied", "Reveal refused (wrong password)"),
                         ("owner", "Owner changed"), ("delete", "Deleted")],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="secretaudit",
            name="credential",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="audits",
                to="sourcing.appcredential",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="invitation", name="token"),
        migrations.AlterField(
            model_name="invitation",
            name="token_digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AddConstraint(
            model_name="apiusage",
            constraint=models.UniqueConstraint(fields=("app", "api", "day"), name="one_usage_row_per_app_day"),
        ),
        migrations.AddConstraint(
            model_name="appcredential",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce("owner", models.Value(0)),
                condition=models.Q(("owner__isnull", True)),
                name="one_site_default_credential",
            ),
        ),
    ]
