"""Imaging studies carry their modality (MRI, CT myelography, CT, PET-CT, bone scintigraphy,
radiograph); a Bilsky grade only on MRI or CT myelography (CLINICAL.md §2), empty otherwise.

Existing studies: every one carries a Bilsky grade (the field was required), so every one becomes
MRI, the modality Bilsky is graded on. A study without a grade (none can exist under the old
check constraint; listed for completeness) would become CT: a study that did not grade Bilsky.
"""

from django.db import migrations, models


def existing_modalities(apps, schema_editor):
    LesionImaging = apps.get_model("cases", "LesionImaging")
    LesionImaging.objects.exclude(bilsky="").update(modality="mri")
    LesionImaging.objects.filter(bilsky="").update(modality="ct")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_audit_chain_hmac"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='lesionimaging',
            name='imaging_bilsky_valid',
        ),
        migrations.AddField(
            model_name='historicallesionimaging',
            name='modality',
            field=models.CharField(choices=[('mri', 'MRI'), ('ct_myelography', 'CT myelography'), ('ct', 'CT'), ('pet_ct', 'PET-CT'), ('bone_scintigraphy', 'Bone scintigraphy'), ('radiograph', 'Radiograph')], default='mri', max_length=20),
        ),
        migrations.AddField(
            model_name='lesionimaging',
            name='modality',
            field=models.CharField(choices=[('mri', 'MRI'), ('ct_myelography', 'CT myelography'), ('ct', 'CT'), ('pet_ct', 'PET-CT'), ('bone_scintigraphy', 'Bone scintigraphy'), ('radiograph', 'Radiograph')], default='mri', max_length=20),
        ),
        migrations.AlterField(
            model_name='historicallesionimaging',
            name='bilsky',
            field=models.CharField(blank=True, choices=[('0', 'Bilsky 0'), ('1a', 'Bilsky 1a'), ('1b', 'Bilsky 1b'), ('1c', 'Bilsky 1c'), ('2', 'Bilsky 2'), ('3', 'Bilsky 3')], help_text='Needs MRI or CT myelography; leave empty for any other modality.', max_length=2, verbose_name='Bilsky grade'),
        ),
        migrations.AlterField(
            model_name='lesionimaging',
            name='bilsky',
            field=models.CharField(blank=True, choices=[('0', 'Bilsky 0'), ('1a', 'Bilsky 1a'), ('1b', 'Bilsky 1b'), ('1c', 'Bilsky 1c'), ('2', 'Bilsky 2'), ('3', 'Bilsky 3')], help_text='Needs MRI or CT myelography; leave empty for any other modality.', max_length=2, verbose_name='Bilsky grade'),
        ),
        migrations.AlterField(
            model_name='historicallesionimaging',
            name='progressed_after_radiation',
            field=models.BooleanField(default=False, help_text='The lesion grew after radiotherapy to the same field.'),
        ),
        migrations.AlterField(
            model_name='lesionimaging',
            name='progressed_after_radiation',
            field=models.BooleanField(default=False, help_text='The lesion grew after radiotherapy to the same field.'),
        ),
        migrations.RunPython(existing_modalities, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='lesionimaging',
            constraint=models.CheckConstraint(condition=models.Q(('bilsky__in', ['', '0', '1a', '1b', '1c', '2', '3'])), name='imaging_bilsky_valid'),
        ),
        migrations.AddConstraint(
            model_name='lesionimaging',
            constraint=models.CheckConstraint(condition=models.Q(('modality__in', ['mri', 'ct_myelography', 'ct', 'pet_ct', 'bone_scintigraphy', 'radiograph'])), name='imaging_modality_valid'),
        ),
        migrations.AddConstraint(
            model_name='lesionimaging',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('modality__in', ('mri', 'ct_myelography')), models.Q(('bilsky', ''), _negated=True)), models.Q(models.Q(('modality__in', ('mri', 'ct_myelography')), _negated=True), ('bilsky', '')), _connector='OR'), name='imaging_bilsky_needs_mri'),
        ),
    ]
