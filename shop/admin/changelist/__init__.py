"""The changelist: Django admin's list page (search, filters, sorting, paging) over SQLAlchemy.

`ChangeList(request, model_admin)` computes one page; `config` holds the option
validators the system checks reuse.
"""

from __future__ import annotations

from shop.admin.changelist.config import (
    ChangeListConfigError,
    check_changelist_options,
    resolve_date_hierarchy,
    resolve_display_field,
    resolve_filter_entry,
    resolve_search_field,
    validate_ordering_entry,
)
from shop.admin.changelist.main import ChangeList
from shop.admin.changelist.params import (
    ERROR_FLAG,
    DisallowedToField,
    IncorrectLookupParameters,
)

__all__ = [
    "ERROR_FLAG",
    "ChangeList",
    "ChangeListConfigError",
    "DisallowedToField",
    "IncorrectLookupParameters",
    "check_changelist_options",
    "resolve_date_hierarchy",
    "resolve_display_field",
    "resolve_filter_entry",
    "resolve_search_field",
    "validate_ordering_entry",
]
