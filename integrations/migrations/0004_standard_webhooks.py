"""Standard Webhooks (issue 20): secrets become ``whsec_<base64 key>``, a rotation keeps the
previous secret for an overlap, and the signature is made at each attempt (no stored one).

Existing secrets keep their key: the old HMAC key was the 64 hex characters' bytes, so the new
secret is ``whsec_`` and those bytes in base64. A receiver that held the hex secret builds the
same value itself (``"whsec_" + base64(hex_secret)``) or asks for a rotation."""

import base64

from django.db import migrations, models

PREFIX = "whsec_"


def to_standard(apps, schema_editor):
    Subscription = apps.get_model("integrations", "WebhookSubscription")
    for row in Subscription.objects.exclude(secret__startswith=PREFIX).only("pk", "secret"):
        row.secret = PREFIX + base64.b64encode(row.secret.encode()).decode()
        row.save(update_fields=["secret"])


def from_standard(apps, schema_editor):
    Subscription = apps.get_model("integrations", "WebhookSubscription")
    for row in Subscription.objects.filter(secret__startswith=PREFIX).only("pk", "secret"):
        key = base64.b64decode(row.secret.removeprefix(PREFIX))
        # A key made before this migration is the hex text; a newer one has no text form.
        row.secret = key.decode() if len(key) == 64 and key.isascii() else key.hex()
        row.save(update_fields=["secret"])


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0003_adt_message"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="signature",
        ),
        migrations.AddField(
            model_name="webhooksubscription",
            name="previous_secret",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="webhooksubscription",
            name="previous_secret_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="webhooksubscription",
            name="secret",
            field=models.CharField(max_length=100),
        ),
        migrations.RunPython(to_standard, from_standard),
    ]
