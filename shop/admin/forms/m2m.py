"""Many-to-many form fields over plain association tables (`Student.clubs`, `User.following`).

A relationship may have thousands of members, so the form never loads or posts the whole
set. It shows the first MEMBERS_SHOWN members as checked boxes, says how many more there
are, and posts back which members it showed (`<name>-shown`), which of them stay checked
(`<name>`), and which rows to add (`<name>-add`, ids; the autocomplete script fills it
by searching the related model's admin). Saving applies only that difference with two
statements on the association table, so members that were not shown are never touched,
and two staff members adding different members at once both keep their additions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from sqlalchemy import select
from sqlalchemy.orm import Mapper, RelationshipProperty, Session

from shop.admin.forms.membership import (
    Membership,
    MembershipChange,
    is_plain_many_to_many,
)
from shop.admin.forms.related import _changelist_url, parse_key
from shop.admin.related_rows import autocomplete_url

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

MAX_CHANGES = 1000  # ids per save; more is a bulk job, not a form
INVALID_CHOICE = "Select a valid choice. %(value)s is not one of the available choices."
Change = tuple[str, str | None, str | None]  # (field, old, new) for the audit trail


class ManyToManyWidget(forms.Widget):
    """Checked boxes for the shown members, a count of the rest, and an input to add."""

    def __init__(self, field: ManyToManyField) -> None:
        super().__init__()
        self.field = field

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, Any]:
        return {
            "selected": data.getlist(name) if hasattr(data, "getlist") else data.get(name, []),
            "shown": data.get(f"{name}-shown", ""),
            "add": data.get(f"{name}-add", ""),
        }

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an unchecked box posts nothing: absence is a value here

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        field = self.field
        checked = field.checked_keys(value)
        items = format_html_join(
            "",
            '<li><label><input type="checkbox" name="{}" value="{}"{}> {}</label></li>',
            (
                (name, key, mark_safe(" checked") if key in checked else "", label)
                for key, label in field.choices_to_render(value)
            ),
        )
        shown = ",".join(str(key) for key, _label in field.members)
        more = field.total - len(field.members)
        note = (
            format_html(
                '<p class="m2m-more">{} more not shown; saving leaves them as they are.{}</p>',
                more,
                format_html(' <a href="{}">Browse</a>', field.browse_url)
                if field.browse_url
                else "",
            )
            if more > 0
            else ""
        )
        search = field.search_url
        data = (
            format_html(' data-autocomplete-url="{}" data-m2m="{}"', search, name) if search else ""
        )
        input_id = (attrs or {}).get("id", f"id_{name}")
        return format_html(
            '<div class="m2m-chooser"{}><input type="hidden" name="{}-shown" value="{}">'
            '<ul class="m2m-members" aria-label="Current members">{}</ul>{}'
            '<span class="m2m-add">Add (ids, comma-separated): <input type="text" '
            'name="{}-add" id="{}" value="{}" class="vManyToManyRawIdAdminField"></span></div>',
            data, name, shown, items, note, name, input_id, field.pending_add(value),
        )  # fmt: skip


class ManyToManyField(forms.Field):
    """Cleaned to a MembershipChange: the difference the user made to the shown members."""

    default_error_messages = {
        "invalid_choice": INVALID_CHOICE,
        "too_many": f"Change at most {MAX_CHANGES} members at a time.",
        "itself": "Select a valid choice. A %(model)s cannot be linked to itself.",
    }

    def __init__(self, prop: RelationshipProperty[Any], **kwargs: Any) -> None:
        self.prop = prop
        self.target: Mapper[Any] = prop.mapper
        self.session: Session | None = None
        self.members: list[tuple[Any, str]] = []  # (pk, label) shown
        self.total = 0
        self.search_url: str | None = None
        self.browse_url: str | None = None
        self._labels: dict[Any, str] = {}
        self.parent_key: Any = None  # the edited row's key, when the target is its own model
        kwargs.setdefault("required", False)
        super().__init__(widget=ManyToManyWidget(self), **kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> ManyToManyField:
        result = super().__deepcopy__(memo)
        result.widget = ManyToManyWidget(result)  # the copy's widget renders the copy
        return result  # type: ignore[return-value]

    def bind(self, session: Session, model_admin: ModelAdmin, parent: Any) -> None:
        """Load the shown members (none on the add page) and the chooser's URLs."""
        self.session = session
        self.parent_key = None
        if parent is not None:
            self.parent_key = self.target.primary_key_from_instance(parent)[0]
            rows, self.total = Membership(self.prop, parent).shown(session, model_admin)
            identity = self.target.primary_key_from_instance
            self.members = [(identity(row)[0], str(row)) for row in rows]
        self.search_url = autocomplete_url(model_admin, self.prop.key)
        self.browse_url = _changelist_url(model_admin, self.target.class_)

    # Parsing what was posted

    def _keys(self, raw: Iterable[str]) -> set[Any]:
        keys = set()
        for text in raw:
            if not str(text).strip():
                continue
            try:
                keys.add(parse_key(self.target, str(text).strip()))
            except (TypeError, ValueError):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": text},
                ) from None  # fmt: skip
        return keys

    def _posted(self, value: Mapping[str, Any]) -> tuple[set[Any], set[Any], set[Any]]:
        selected = self._keys(value.get("selected") or [])
        shown = self._keys(str(value.get("shown") or "").split(","))
        added = self._keys(str(value.get("add") or "").split(","))
        return selected, shown, added

    def clean(self, value: Any) -> MembershipChange:
        if not isinstance(value, Mapping):
            return MembershipChange()
        selected, shown, added = self._posted(value)
        change = MembershipChange(
            added=frozenset((selected - shown) | added), removed=frozenset(shown - selected)
        )
        if len(change.added) + len(change.removed) > MAX_CHANGES:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        if self.prop.mapper is self.prop.parent and self.parent_key in change.added:
            # A self-referential link to itself (a user following itself) is a mistake.
            model = self.target.class_.__name__.lower()
            raise ValidationError(
                self.error_messages["itself"], code="itself", params={"model": model}
            )
        missing = change.added - set(self.labels(change.added))
        if missing:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": ", ".join(sorted(str(key) for key in missing))},
            )  # fmt: skip
        return change

    def labels(self, keys: Iterable[Any]) -> dict[Any, str]:
        """Names of the rows with these keys (existing rows only), one query, cached."""
        wanted = [key for key in keys if key not in self._labels]
        if wanted and self.session is not None:
            pk = self.target.primary_key[0]
            rows = self.session.scalars(select(self.target.class_).where(pk.in_(wanted)))
            identity = self.target.primary_key_from_instance
            self._labels.update({identity(row)[0]: str(row) for row in rows})
        return {key: self._labels[key] for key in keys if key in self._labels}

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return bool(self.clean(data))
        except ValidationError:
            return True

    # Rendering after a failed save keeps what the user chose

    def checked_keys(self, value: Any) -> set[Any]:
        """Shown members (unbound), or what was checked or typed in to add (bound)."""
        if not isinstance(value, Mapping):
            return {key for key, _label in self.members}
        try:
            return self._keys(value.get("selected") or []) | self._keys(
                str(value.get("add") or "").split(",")
            )
        except ValidationError:
            return set()

    def choices_to_render(self, value: Any) -> list[tuple[Any, str]]:
        """The shown members, then rows checked in the posted data that were not shown."""
        extra = self.checked_keys(value) - {key for key, _label in self.members}
        return [*self.members, *self.labels(extra).items()]

    def pending_add(self, value: Any) -> str:
        """Typed ids that could not be read stay in the input for the user to correct."""
        if not isinstance(value, Mapping):
            return ""
        try:
            self._keys(str(value.get("add") or "").split(","))
        except ValidationError:
            return str(value.get("add") or "")
        return ""  # readable ids are shown as checked members instead


def audit_changes(field: ManyToManyField, change: MembershipChange) -> list[Change]:
    """(field, old, new) rows for the audit trail: `None -> name` added, `name -> None` removed."""
    labels = field.labels(change.added | change.removed)
    name = field.prop.key

    def text(key: Any) -> str:
        return f"{labels.get(key, '?')} (#{key})"

    removed = [(name, text(key), None) for key in sorted(change.removed, key=str)]
    added = [(name, None, text(key)) for key in sorted(change.added, key=str)]
    return [*removed, *added]


# The form factory's and the save's entry points


def many_to_many_props(mapper: Mapper[Any]) -> dict[str, RelationshipProperty[Any]]:
    """The relationships a form can edit with ManyToManyField, by name."""
    return {prop.key: prop for prop in mapper.relationships if is_plain_many_to_many(prop)}


def add_many_to_many_fields(
    form_class: type[forms.Form],
    props: Mapping[str, RelationshipProperty[Any]],
    names: Iterable[str],
) -> None:
    """Put a ManyToManyField on `form_class` for each editable many-to-many name, in order."""
    fields = dict(form_class.base_fields)  # type: ignore[attr-defined]
    for name in names:
        if name in props and name not in fields:
            fields[name] = ManyToManyField(
                props[name], label=props[name].key.replace("_", " ").capitalize()
            )
    form_class.base_fields = fields  # type: ignore[attr-defined]


def bind_many_to_many(form: Any) -> None:
    """Load each many-to-many field's shown members for the form's object."""
    for field in form.fields.values():
        if isinstance(field, ManyToManyField):
            field.bind(form.session, form.model_admin, form.instance)


def save_many_to_many(session: Session, form: Any, obj: Any) -> list[Change]:
    """Apply each many-to-many field's change to `obj` (which has its id); audit details."""
    details: list[Change] = []
    for name, field in form.fields.items():
        change = form.cleaned_data.get(name)
        if isinstance(field, ManyToManyField) and isinstance(change, MembershipChange) and change:
            Membership(field.prop, obj).apply(session, change)
            details += audit_changes(field, change)
    return details
