from django.contrib import admin

from .models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("pk", "mrn", "family_name", "given_name", "birth_date", "institution")
    search_fields = ("mrn", "family_name")
    list_filter = ("institution",)
