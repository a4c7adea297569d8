"""Every API token expires (``expires_at``).

Tokens issued before this migration had no term. They get a full term of ``API_TOKEN_TTL_DAYS``
from the moment of the migration, not from their creation: cutting off a hospital system's
interface on the day of an upgrade would be an outage, and its holders now have the usual
term to rotate it. The index answers "how many live tokens does this person hold?".
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_a_term(apps, schema_editor):
    ApiToken = apps.get_model("integrations", "ApiToken")
    expires = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    ApiToken.objects.using(schema_editor.connection.alias).filter(expires_at=None).update(
        expires_at=expires)


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(give_existing_tokens_a_term, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name='apitoken',
            index=models.Index(condition=models.Q(('revoked_at__isnull', True)), fields=['user', 'expires_at'], name='api_token_live_by_user'),
        ),
    ]
