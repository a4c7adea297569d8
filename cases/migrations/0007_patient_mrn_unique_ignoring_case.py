"""An MRN is unique per institution whatever the case of its letters ("demo-1001" is
"DEMO-1001"): a unique index on (lower(mrn), institution) replaces the exact-case one.

Patients that already collide are never merged silently: the migration stops and names them by
id, so that a person decides which record is the patient's before migrating again.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower


class DuplicateMrns(RuntimeError):
    pass


def refuse_duplicates(apps, schema_editor):
    Patient = apps.get_model("cases", "Patient")
    groups = (Patient.objects.annotate(key=Lower("mrn"))
              .values("institution_id", "key").annotate(n=models.Count("pk")).filter(n__gt=1))
    clashes = []
    for group in groups:
        ids = sorted(Patient.objects.annotate(key=Lower("mrn"))
                     .filter(institution_id=group["institution_id"], key=group["key"])
                     .values_list("pk", flat=True))
        clashes.append(f"institution {group['institution_id']}: patients {ids}")
    if clashes:
        # Ids only, never the MRN: this message reaches deploy logs.
        raise DuplicateMrns(
            "These patients have the same MRN but for upper/lower case; merge or correct them "
            "by hand, then migrate again: " + "; ".join(clashes)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_imaging_modality"),
        ("tumorboard", "0003_user_manager"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='patient',
            name='patient_mrn_unique',
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('mrn'), models.F('institution'), name='patient_mrn_unique_ci'),
        ),
    ]
