"""What an inline's POST may not do, checked across its rows (each row checks itself).

A tampered management form, a row id that is not one of this parent's children (or is
listed twice), a new row without add permission, a DELETE without delete permission or
past `can_delete`, more rows than `max_num` or fewer than `min_num` (counting the rows of
other pages): each is a form error, and nothing of the page is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.text import get_text_list

from shop.admin.forms.unique import attribute_keys, field_name, unique_column_sets

if TYPE_CHECKING:
    from shop.admin.inlines.formsets import InlineFormSet

RELOAD = "Nothing was saved: reload the page."


def formset_problems(formset: InlineFormSet) -> list[ValidationError]:
    """The first kind of problem found, as the formset's non-form errors."""
    return _structure_problems(formset) or _permission_problems(formset) or _count_problems(formset)


def _names(formset: InlineFormSet) -> tuple[str, str]:
    return str(formset.inline.verbose_name), str(formset.inline.verbose_name_plural)


def _structure_problems(formset: InlineFormSet) -> list[ValidationError]:
    name, _plural = _names(formset)
    total = formset.posted_count(TOTAL_FORM_COUNT)
    initial = formset.posted_count(INITIAL_FORM_COUNT)
    if total < 0 or initial < 0 or initial > total:
        message = f"This form's row counts do not match its rows. {RELOAD}"
        return [ValidationError(message, code="tampered")]
    if formset.unknown_rows:
        message = f"A {name} in this form no longer exists or belongs elsewhere. {RELOAD}"
        return [ValidationError(message, code="unknown_row")]
    posted = [formset.instance_at(i) for i in range(formset.initial_form_count())]
    if len({id(child) for child in posted}) != len(posted):
        return [ValidationError(f"A {name} is listed twice. {RELOAD}", code="duplicate_row")]
    return []


def _permission_problems(formset: InlineFormSet) -> list[ValidationError]:
    _name, plural = _names(formset)
    problems = []
    added = [form for i, form in enumerate(formset.forms) if formset.is_added(i, form)]
    if added and not formset.rights.add:
        problems.append(ValidationError(f"You may not add {plural}.", code="add_denied"))
    if not formset.can_delete and _delete_posted(formset):
        problems.append(ValidationError(f"You may not delete {plural}.", code="delete_denied"))
    return problems


def _delete_posted(formset: InlineFormSet) -> bool:
    checkbox = forms.CheckboxInput()
    return any(
        checkbox.value_from_datadict(formset.data, {}, f"{formset.add_prefix(i)}-DELETE")
        for i in range(formset.initial_form_count())
    )


def _count_problems(formset: InlineFormSet) -> list[ValidationError]:
    """max_num and min_num count the parent's rows after the save, shown or not."""
    name, plural = _names(formset)
    added, deleted = len(formset.rows("add")), len(formset.rows("delete"))
    most, least = formset.limit_max, formset.limit_min
    if added and most is not None:
        # Counted only as far as the answer needs: never all of a huge child set.
        kept = formset.existing_count(most + deleted + 1) - deleted + added
        if kept > most:
            message = f"Please submit at most {most} {name if most == 1 else plural}."
            return [ValidationError(message, code="too_many_forms")]
    # Rows that were already too few (older data) do not block other edits.
    if least and (added or deleted or formset.parent is None):
        kept = formset.existing_count(least + deleted) - deleted + added
        if kept < least:
            message = f"Please submit at least {least} {name if least == 1 else plural}."
            return [ValidationError(message, code="too_few_forms")]
    return []


def mark_duplicates(formset: InlineFormSet) -> None:
    """Two rows of the page may not hold the same unique values (Django's message).

    The parent's own columns are the same on every row, so UNIQUE(cart_id, product_id)
    compares the products. A row with an error of its own already is left out.
    """
    mapper = formset.inline.mapper
    fixed = formset.inline.relation.child_columns()
    kept = [f for i, f in enumerate(formset.forms) if formset.is_kept(i, f) and not f.errors]
    for columns in unique_column_sets(mapper.local_table):  # type: ignore[arg-type]
        attributes = [a for a in attribute_keys(mapper, columns) or () if a not in fixed]
        seen: set[tuple[Any, ...]] = set()
        for form in kept if attributes else ():
            values = _row_values(form, attributes)
            if values is not None and values in seen:
                labels = get_text_list([_label(form, a) for a in attributes], "and")
                message = f"Please correct the duplicate data for {labels}, which must be unique."
                form.add_error(None, ValidationError(message, code="duplicate"))
            elif values is not None:
                seen.add(values)


def _row_values(form: Any, attributes: list[str]) -> tuple[Any, ...] | None:
    values = []
    for attribute in attributes:
        name = field_name(form.model_admin.mapper, attribute)
        if name in form.fields:
            if name not in form.cleaned_data:
                return None  # that field has its own error already
            values.append(form.cleaned_data[name])
        elif form.instance is not None:
            values.append(getattr(form.instance, attribute))
        else:
            return None
    return None if any(value is None for value in values) else tuple(values)


def _label(form: Any, attribute: str) -> str:
    name = field_name(form.model_admin.mapper, attribute)
    field = form.fields.get(name)
    return str(field.label).lower() if field is not None and field.label else name
