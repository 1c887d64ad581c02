"""list_editable: rows of the changelist edited in place and saved in one transaction.

Django's shape: a formset with the prefix "form" (management form `form-TOTAL_FORMS`,
...), each row's columns as `form-N-<field>`, its key as `form-N-<pk>` and, for a
versioned model, the version the user saw as `form-N-_version`. The `_save` POST saves
every changed row (with its audit rows) or none: any invalid row, any row changed by
someone else since the page was opened, any refusal by the database shows the page
again with the error on that row and the user's input kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import BadRequest
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.http import HttpRequest
from django.utils.safestring import SafeString
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shop.admin.actions.selection import key_in
from shop.admin.actions.writer import snapshot
from shop.admin.forms.conflict import mark, reload
from shop.admin.forms.factory import VERSION_FIELD, AdminModelForm, version_of
from shop.admin.forms.fastwidgets import fast_renderer, hidden_form_html
from shop.admin.forms.fields import form_sources, formfield_for
from shop.admin.forms.integrity import describe
from shop.admin.forms.save import add_problem, apply_form, is_write_conflict
from shop.admin.lookup import parse_pk

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

PREFIX = "form"
MAX_FORMS = 1000
GONE = "“{row}” was deleted by someone else since you opened the list, so nothing was saved."


class EditableRowForm(AdminModelForm):
    """One row: its key, the version the user saw, and the list_editable columns."""

    key_name: ClassVar[str]
    editable: ClassVar[tuple[str, ...]]

    def __init__(
        self,
        data: Any = None,
        *,
        session: Session,
        instance: Any,
        prefix: str,
        initial: dict[str, Any] | None = None,
    ) -> None:
        if initial is None:
            initial = row_initial(self.model_admin, self.sources, self.editable, instance)
        super().__init__(data, session=session, instance=instance, initial=initial)
        self.prefix = prefix

    @property
    def edits(self) -> list[str]:
        """The columns whose posted value differs from the row's current value."""
        return [name for name in self.changed_data if name in self.editable]

    def clean(self) -> dict[str, Any]:
        if not self.edits:
            return self.cleaned_data  # an untouched row is neither checked nor saved
        return super().clean()


def row_initial(
    model_admin: ModelAdmin, sources: dict[str, Any], editable: tuple[str, ...], obj: Any
) -> dict[str, Any]:
    mapper = model_admin.mapper
    values = {name: getattr(obj, sources[name].attribute) for name in editable}
    values[key_field(model_admin)] = ",".join(str(p) for p in mapper.primary_key_from_instance(obj))
    if mapper.version_id_col is not None:
        values[VERSION_FIELD] = version_of(model_admin, obj)
    return values


def key_field(model_admin: ModelAdmin) -> str:
    """The key's field name, Django's `form-N-id`: the primary key attribute."""
    mapper = model_admin.mapper
    return mapper.get_property_by_column(mapper.primary_key[0]).key


def form_class_for(model_admin: ModelAdmin, base: type[Any] | None = None) -> type[EditableRowForm]:
    """The row form of `model_admin.list_editable` (columns only: see the checks).

    `base` (ModelAdmin.get_changelist_form) adds its clean() rules, which see only the
    row's editable columns; its declared fields are not added to the row.
    """
    sources = form_sources(model_admin.mapper)
    editable = tuple(model_admin.list_editable)
    attrs: dict[str, Any] = {name: formfield_for(sources[name]) for name in editable}
    attrs[key_field(model_admin)] = forms.CharField(widget=forms.HiddenInput)
    if model_admin.mapper.version_id_col is not None:
        attrs[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
    attrs.update(
        model_admin=model_admin, sources=sources, key_name=key_field(model_admin), editable=editable
    )
    if base is None or base.default_renderer is None:
        attrs["default_renderer"] = fast_renderer()  # a page shows hundreds of these inputs
    row_fields = {name for name, value in attrs.items() if isinstance(value, forms.Field)}
    bases: tuple[type[Any], ...] = (EditableRowForm,) if base is None else (EditableRowForm, base)
    form_class: Any = type(f"{model_admin.object_name}ListForm", bases, attrs)
    declared = {name for name in form_class.base_fields if name not in row_fields}
    for name in declared:  # a row edits its list_editable columns only
        del form_class.base_fields[name]
        form_class.declared_fields.pop(name, None)
    return form_class  # type: ignore[no-any-return]


@dataclass
class EditableList:
    """The formset: the row form, the posted rows' forms, Django's management form and
    the list-wide errors. Rows shown without posted input have no form object of their
    own (see shop.admin.changelist.inputs): `total` counts every row shown."""

    form_class: type[EditableRowForm]
    forms: list[EditableRowForm]
    errors: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def management_form(self) -> ManagementForm:
        count = self.total
        initial = {
            TOTAL_FORM_COUNT: count,
            INITIAL_FORM_COUNT: count,
            MIN_NUM_FORM_COUNT: 0,
            MAX_NUM_FORM_COUNT: MAX_FORMS,
        }
        return ManagementForm(prefix=PREFIX, initial=initial, renderer=fast_renderer())

    @property
    def management_inputs(self) -> SafeString:
        return hidden_form_html(self.management_form)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(len(form.errors) for form in self.forms if form.is_bound)


def blank_list(request: HttpRequest, model_admin: ModelAdmin) -> EditableList:
    """The list form before any input: every row shows its current values."""
    return EditableList(form_class_for(model_admin, model_admin.get_changelist_form(request)), [])


def posted_list(request: HttpRequest, model_admin: ModelAdmin) -> EditableList:
    """The posted forms, bound to their rows (one query, through get_query); 400 if tampered."""
    management = ManagementForm(request.POST, prefix=PREFIX)
    total = management.cleaned_data[TOTAL_FORM_COUNT] if management.is_valid() else -1
    if not 0 <= total <= MAX_FORMS:
        raise BadRequest("ManagementForm data is missing or has been tampered with.")
    form_class = form_class_for(model_admin, model_admin.get_changelist_form(request))
    keys = [_posted_key(request, model_admin, form_class, index) for index in range(total)]
    rows = _load(request, model_admin, keys)
    session = request.db  # type: ignore[attr-defined]
    data = request.POST.copy()  # mutable: a conflict puts the current versions in
    posted = EditableList(form_class, [])
    for index, key in enumerate(keys):
        obj = rows.get(key)
        if obj is None:
            posted.errors.append(GONE.format(row=",".join(str(part) for part in key)))
            continue
        prefix = f"{PREFIX}-{index}"
        posted.forms.append(form_class(data, session=session, instance=obj, prefix=prefix))
    return posted


def _posted_key(
    request: HttpRequest, model_admin: ModelAdmin, form_class: type[EditableRowForm], index: int
) -> tuple[Any, ...]:
    raw = request.POST.get(f"{PREFIX}-{index}-{form_class.key_name}", "")
    key = parse_pk(model_admin, raw)
    if key is None:
        raise BadRequest("A row of the list has no valid id.")
    return key


def _load(
    request: HttpRequest, model_admin: ModelAdmin, keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], Any]:
    if not keys:
        return {}
    mapper = model_admin.mapper
    statement = model_admin.get_query(request).where(key_in(list(mapper.primary_key), keys))
    objects = request.db.execute(statement).unique().scalars()  # type: ignore[attr-defined]
    return {tuple(mapper.primary_key_from_instance(obj)): obj for obj in objects}


def save_list(request: HttpRequest, model_admin: ModelAdmin, posted: EditableList) -> int | None:
    """Save every changed row, audited, in one transaction: how many, or None (errors shown).

    A row edited here that someone else saved since the page was opened is not saved (nor
    is any other row): it comes back with the conflict message, the user's input, the
    current values beside it and the current version, so saving again is deliberate.
    """
    stale = _take_current_versions(posted)
    valid = [form.is_valid() for form in posted.forms]  # every row, so every error shows
    for form in stale:
        mark(request, model_admin, form, form.instance)
    if stale or posted.errors or not all(valid):
        return None
    changed = [form for form in posted.forms if form.edits]
    session: Session = request.db  # type: ignore[attr-defined]
    for form in changed:
        if not _save_row(request, model_admin, form):
            session.rollback()
            return None
    try:
        session.commit()
    except (IntegrityError, StaleDataError, OperationalError) as exc:
        session.rollback()
        if isinstance(exc, OperationalError) and not is_write_conflict(exc):
            raise  # a lost connection: the middleware's error page
        posted.errors.append("The database refused the changes. Nothing was saved.")
        return None
    return len(changed)


def _save_row(request: HttpRequest, model_admin: ModelAdmin, form: EditableRowForm) -> bool:
    """Apply one row's changes, audit them and flush; False (with the error on the row)."""
    session: Session = request.db  # type: ignore[attr-defined]
    obj = form.instance
    before = snapshot(obj)
    if not apply_form(form, obj, add=False):
        return False
    audit = model_admin.admin_site.audit_log
    try:
        if audit is not None:
            audit.log_change(session, request.user.get_username(), model_admin, obj, before)
        session.flush()
    except (StaleDataError, OperationalError) as exc:
        if not is_write_conflict(exc):
            raise  # a lost connection: the middleware's error page
        _lost_race(request, model_admin, form)
        return False
    except IntegrityError as exc:
        add_problem(form, describe(model_admin, exc, form))
        return False
    return True


def _take_current_versions(posted: EditableList) -> list[EditableRowForm]:
    """The edited rows whose version moved on; their posted version becomes the current one.

    Before validation, so the forms' own version check passes and a deliberate second
    save replaces the current values (the change form does the same).
    """
    stale = []
    for form in posted.forms:
        if VERSION_FIELD not in form.fields or not form.edits:
            continue
        key = form.add_prefix(VERSION_FIELD)
        seen, current = form.data.get(key), str(version_of(form.model_admin, form.instance))
        if seen not in (None, "") and seen != current:
            form.data[key] = current
            stale.append(form)
    return stale


def _lost_race(request: HttpRequest, model_admin: ModelAdmin, form: EditableRowForm) -> None:
    """Saved by someone else between this read and this write: theirs shown, ours kept."""
    if not reload(form.session, form.instance):
        form.add_error(None, GONE.format(row=form.initial.get(form.key_name, "")))
        return
    form.data[form.add_prefix(VERSION_FIELD)] = str(version_of(model_admin, form.instance))
    mark(request, model_admin, form, form.instance)
