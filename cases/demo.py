"""Synthetic demo patients. Invented names; MRNs carry a DEMO prefix."""

from __future__ import annotations

from datetime import date

from tumorboard.demo import DemoPeople

from .models import Patient

PATIENTS: list[tuple[str, str, str, date]] = [
    # mrn, given name, family name, birth date
    ("DEMO-1001", "Maren", "Holloway", date(1968, 3, 14)),
    ("DEMO-1002", "Ines", "Carvalho", date(1975, 9, 2)),
    ("DEMO-1003", "Ruth", "Ambersley", date(1959, 12, 21)),
    ("DEMO-1004", "Joanna", "Prewitt", date(1981, 6, 30)),
    ("DEMO-1005", "Alma", "Kestrel", date(1964, 1, 8)),
    ("DEMO-1006", "Yara", "Delacroix", date(1972, 4, 17)),
    ("DEMO-1007", "Beatrix", "Lowell", date(1956, 11, 5)),
    ("DEMO-1008", "Noor", "Haddadin", date(1987, 8, 23)),
]


def seed_cases(people: DemoPeople) -> int:
    for mrn, given, family, born in PATIENTS:
        Patient.objects.update_or_create(
            institution=people.institution,
            mrn=mrn,
            defaults={
                "given_name": given,
                "family_name": family,
                "birth_date": born,
                "sex": Patient.Sex.FEMALE,
            },
        )
    return len(PATIENTS)
