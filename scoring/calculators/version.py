"""Version of the rule set that every result carries.

Bump it whenever a table or a threshold in this package changes, so a stored assessment can be
traced to the rules that produced it (DESIGN.md, Assessment).
"""

from __future__ import annotations

from typing import Final

RULES_VERSION: Final = "2026.2"  # 2026.2: NOMS policy v2 (CLINICAL.md §7)
CLINICAL_DOC: Final = "CLINICAL.md"
