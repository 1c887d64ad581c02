"""Admin actions: Django's bulk actions over a selection of rows (or one object's page).

`@action(description=..., permissions=[...], form=...)` declares one (shop.admin.action);
`change_selected()` writes the usual kind (each row changed, audited, version-checked,
all in one transaction); `delete_selected` is built in.
"""

from __future__ import annotations

from shop.admin.actions.base import ActionFailed
from shop.admin.actions.delete import delete_selected
from shop.admin.actions.forms import ActionParametersForm, RowChoiceField
from shop.admin.actions.selection import Selection
from shop.admin.actions.writer import ActionWriter, change_selected

__all__ = [
    "ActionFailed",
    "ActionParametersForm",
    "ActionWriter",
    "RowChoiceField",
    "Selection",
    "change_selected",
    "delete_selected",
]
