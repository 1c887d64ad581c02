"""The domain's admin registrations: one module per domain, all on one site.

Importing this package registers every mapped class (project/urls.py mounts `site.urls`).
"""

from __future__ import annotations

# Imported for their side effect: each module registers its domain's models.
from shop.registrations import (  # noqa: F401
    accounts,
    audit,
    clinic,
    commerce,
    grade_report,
    school,
    social,
)
from shop.registrations.site import site

__all__ = ["site"]
