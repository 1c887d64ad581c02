"""Many-to-one form fields: a small select, or an autocomplete for a large related table.

The form never loads a whole table. A field listed in `autocomplete_fields` is always an
autocomplete; any other runs one query of at most `fk_select_limit + 1` rows and becomes
a select if they all fit. Past that it becomes an autocomplete too, over the related
model's admin search (or, when that model has no admin search, a raw id input as in
Django's raw_id_fields). Both are built on a text input holding the related id, with the
chosen row's name beside it, so the page works without JavaScript; the script
static/admin/js/autocomplete.js turns it into a search-as-you-type chooser.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from sqlalchemy.orm import Mapper, Session

from shop.admin.forms.fields import EMPTY_LABEL, FieldSource, integer_limit
from shop.admin.related_rows import autocomplete_url, related_rows_statement

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

ID_RE = re.compile(r"-?[0-9]{1,20}")
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def parse_key(mapper: Mapper[Any], raw: Any) -> Any:
    """A primary key value of `mapper` from text; ValueError if it cannot be one."""
    column = mapper.primary_key[0]
    if len(mapper.primary_key) != 1:
        raise ValueError("composite primary keys are not editable in a form")
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if kind is not int:
        return kind(raw)
    text = str(raw).strip()
    # "1e3", "0x10", " 1 2" and "²" are not ids; 20 digits pass any key column.
    if not ID_RE.fullmatch(text):
        raise ValueError(f"not an integer: {raw!r}")
    value = int(text)
    # Past the column's range the database would fail (PostgreSQL: "integer out of
    # range"); no row has such an id, so it is an unknown id like any other.
    if abs(value) > integer_limit(column.type):
        raise ValueError("id out of range")
    return value


class RawIdWidget(forms.TextInput):
    """A text input for the related id, with the current row's name and a lookup link.

    With an autocomplete URL the wrapper carries it for the script, which adds the search.
    """

    def __init__(self, field: RelatedField) -> None:
        super().__init__(attrs={"class": "vForeignKeyRawIdAdminField", "inputmode": "numeric"})
        self.related_field = field

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        field = self.related_field
        label = field.label_for(value)
        url = field.lookup_url
        lookup = format_html(' <a href="{}" class="related-lookup">Browse</a>', url) if url else ""
        shown = format_html(' <strong class="related-label">{}</strong>', label or "")
        search = field.autocomplete_url
        data = format_html(' data-autocomplete-url="{}"', search) if search else ""
        required = ' data-required="true"' if field.required else ""
        # Every part is escaped above.
        return mark_safe(f'<div class="related-widget"{data}{required}>{html}{lookup}{shown}</div>')


class RelatedField(forms.Field):
    """The primary key of a related row; cleaned to that key (the FK value to store)."""

    default_error_messages = {"invalid_choice": INVALID_CHOICE}

    def __init__(self, source: FieldSource, **kwargs: Any) -> None:
        assert source.relationship is not None
        self.source = source
        self.related_mapper: Mapper[Any] = source.relationship.mapper
        self.session: Session | None = None
        self.rows: dict[Any, Any] | None = None  # pk -> row when rendered as a select
        self.lookup_url: str | None = None
        self.autocomplete_url: str | None = None
        super().__init__(widget=forms.Select, **kwargs)

    def bind(self, session: Session, model_admin: ModelAdmin, *, autocomplete: bool) -> None:
        """A select of at most fk_select_limit rows, else (or if asked) a search by id/name."""
        self.session = session
        related = self.related_mapper.class_
        site = model_admin.admin_site
        assert self.source.relationship is not None
        search_url = autocomplete_url(model_admin, self.source.relationship.key)
        if not (autocomplete and search_url):
            limit = model_admin.fk_select_limit
            statement = related_rows_statement(site, related, None).limit(limit + 1)
            rows = session.execute(statement).scalars().all()
            if len(rows) <= limit:
                identity = self.related_mapper.primary_key_from_instance
                self.rows = {identity(row)[0]: row for row in rows}
                choices = [("", EMPTY_LABEL), *((pk, str(row)) for pk, row in self.rows.items())]
                self.widget = forms.Select(choices=choices)
                return
        self.autocomplete_url = search_url
        self.lookup_url = _changelist_url(model_admin, related)
        self.widget = RawIdWidget(self)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return parse_key(self.related_mapper, value)
        except (TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and self._find(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def _find(self, key: Any) -> Any:
        if self.rows is not None:
            return self.rows.get(key)
        if self.session is None:
            return None
        return self.session.get(self.related_mapper.class_, key)

    def label_for(self, value: Any) -> str | None:
        """The name of the row `value` refers to, for the raw id input."""
        try:
            key = self.to_python(value)
        except ValidationError:
            return None
        row = self._find(key) if key is not None else None
        return None if row is None else str(row)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            data = self.to_python(data)
        except ValidationError:
            return True
        return initial != data


def _changelist_url(model_admin: ModelAdmin, related: type) -> str | None:
    site = model_admin.admin_site
    if not site.is_registered(related):
        return None
    info = site.get_model_admin(related).url_prefix
    try:
        return reverse(f"admin:{info}_changelist", current_app=site.name)
    except NoReverseMatch:
        return None
