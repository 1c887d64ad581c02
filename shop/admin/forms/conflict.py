"""A save that lost the race: the form back with the user's input and the current values.

Someone else saved the record (or one of its inline rows) after this user opened the
page. Nothing of this POST was written. The page comes back with the user's input kept,
"Current value: ..." beside each field that now differs, and the hidden versions set to
the current ones, so that saving again deliberately replaces the other person's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from shop.admin.forms.factory import STALE_MESSAGE, VERSION_FIELD, AdminModelForm, version_of
from shop.admin.forms.readonly import readonly_contents

if TYPE_CHECKING:
    from shop.admin.inlines.formsets import InlineFormSet
    from shop.admin.options import ModelAdmin

STALE = "stale"
CURRENT_VALUE = "current_value"


@dataclass
class Stale:
    """Which forms of the page held an outdated version: the object, and rows per inline."""

    parent: bool = False
    rows: dict[str, set[int]] = field(default_factory=dict)

    @property
    def pinpointed(self) -> bool:
        return self.parent or any(self.rows.values())


def is_conflict(form: AdminModelForm, formsets: Sequence[InlineFormSet] = ()) -> bool:
    """Did this POST fail because someone else saved first?"""
    if form.has_error(NON_FIELD_ERRORS, STALE):
        return True
    for formset in formsets:
        if any(error.code == STALE for error in formset.non_form_errors().as_data()):
            return True
        if any(row.has_error(NON_FIELD_ERRORS, STALE) for row in formset.forms):
            return True
    return False


def reload(session: Session, obj: Any) -> bool:
    """Roll back this request's work and read `obj` again; False if it was deleted."""
    session.rollback()
    try:
        session.refresh(obj)
    except InvalidRequestError:
        return False
    return True


def take_current_versions(
    data: QueryDict, form: AdminModelForm, obj: Any, formsets: Sequence[InlineFormSet] = ()
) -> Stale:
    """Put the current versions into `data` (the forms read it lazily); say which were old.

    Call before the forms are validated: the version check then passes, and a deliberate
    second save replaces the current values.
    """
    stale = Stale()
    if VERSION_FIELD in form.fields:
        current = version_of(form.model_admin, obj)
        stale.parent = _take(data, form.add_prefix(VERSION_FIELD), current)
    for formset in formsets:
        versioned = VERSION_FIELD in formset.layouts.existing.form_class.base_fields
        rows = stale.rows.setdefault(str(formset.prefix), set())
        for index in range(formset.initial_form_count()) if versioned else ():
            child = formset.instance_at(index)
            key = f"{formset.add_prefix(index)}-{VERSION_FIELD}"
            if child is not None and _take(data, key, version_of(formset.inline, child)):
                rows.add(index)
    return stale


def _take(data: QueryDict, key: str, current: Any) -> bool:
    seen = data.get(key)
    if current is None or seen in (None, "") or seen == str(current):
        return False
    data[key] = str(current)
    return True


def annotate(
    request: HttpRequest,
    model_admin: ModelAdmin,
    form: AdminModelForm,
    obj: Any,
    stale: Stale,
    formsets: Sequence[InlineFormSet] = (),
) -> None:
    """The conflict message on each outdated form, and the current values that differ."""
    if stale.parent or not stale.pinpointed:
        mark(request, model_admin, form, obj)
    for formset in formsets:
        for index in sorted(stale.rows.get(str(formset.prefix), ())):
            row = formset.forms[index]
            mark(request, formset.inline, row, row.instance)
            if formset.is_deleted(index, row):
                # A deleted row's own errors do not count: say it on the inline.
                error = ValidationError(STALE_MESSAGE, code=STALE)
                formset.non_form_errors().append(error)


def mark(request: HttpRequest, model_admin: ModelAdmin, form: AdminModelForm, obj: Any) -> None:
    """STALE_MESSAGE on `form`, and "Current value: ..." on each field the input differs in."""
    form.add_error(None, ValidationError(STALE_MESSAGE, code=STALE))
    for name in list(form.fields):
        bound, source = form[name], form.sources.get(name)
        if source is None or bound.field.disabled:
            continue
        if bound.field.has_changed(getattr(obj, source.attribute), bound.data):
            shown = readonly_contents(request, model_admin, obj, name)
            note = format_html("Current value: {}", shown)
            form.add_error(name, ValidationError(note, code=CURRENT_VALUE))
