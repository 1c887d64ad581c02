"""Inlines: a parent's children edited, added and deleted on the parent's change page.

`TabularInline` / `StackedInline` with Django admin's options, listed in a ModelAdmin's
`inlines`. Rows are saved in the parent's transaction, with audit rows for each.
"""

from __future__ import annotations

from shop.admin.inlines.options import InlineModelAdmin, StackedInline, TabularInline

__all__ = ["InlineModelAdmin", "StackedInline", "TabularInline"]
