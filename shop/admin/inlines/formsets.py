"""An inline's rows as a Django formset: Django's POST shape, stricter about what it accepts.

`items-TOTAL_FORMS`, `items-INITIAL_FORMS`, `items-0-id`, `items-0-DELETE`,
`items-0-quantity`... The first INITIAL_FORMS rows are existing children, found by their
posted id among this parent's children only; the rest are new rows. A parent with many
children shows one page of them (shop.admin.inlines.paging), and a POST holds only that
page's rows: the rows of other pages are neither read nor written. A POST that names
another parent's row, adds a row without add permission, deletes without delete
permission or past `can_delete`, or goes beyond `max_num` is a form error: nothing saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.formsets import DELETION_FIELD_NAME, TOTAL_FORM_COUNT, BaseFormSet
from django.http import HttpRequest

from shop.admin.forms.factory import STALE_MESSAGE, VERSION_FIELD, AdminModelForm
from shop.admin.forms.related import parse_key
from shop.admin.inlines.paging import InlinePage, count_children, page_after_post
from shop.admin.inlines.rows import RowLayouts, RowRights
from shop.admin.inlines.save import save_rows
from shop.admin.inlines.validation import formset_problems, mark_duplicates

if TYPE_CHECKING:
    from shop.admin.inlines.options import InlineModelAdmin

ID_FIELD = "id"
BOOKKEEPING = frozenset({ID_FIELD, DELETION_FIELD_NAME, VERSION_FIELD})


class InlineFormSet(BaseFormSet):  # type: ignore[type-arg]
    """The rows of one inline on one parent's page."""

    limit_max: int | None = None  # the inline's max_num (None: no limit)
    limit_min: int = 0

    def __init__(
        self,
        data: Any = None,
        *,
        request: HttpRequest,
        inline: InlineModelAdmin,
        parent: Any,
        children: list[Any],
        page: InlinePage | None = None,
        layouts: RowLayouts,
        rights: RowRights,
        save_as_new: bool = False,
    ) -> None:
        self.request = request
        self.session = request.db  # type: ignore[attr-defined]
        self.inline = inline
        self.parent = parent
        self.children = children  # the rows shown (a GET) or posted (a POST)
        self._page = page
        self.layouts = layouts
        self.rights = rights
        self.save_as_new = save_as_new
        self._by_key = {inline.mapper.primary_key_from_instance(c)[0]: c for c in self.children}
        self._instances: dict[int, Any] = {}
        self.unknown_rows: set[int] = set()
        super().__init__(data, prefix=inline.prefix)

    # Which form, object and initial values each row gets.

    def total_form_count(self) -> int:
        if self.is_bound and self.posted_count(TOTAL_FORM_COUNT) > self.absolute_max:
            return 0  # refused in full_clean ("too many forms"), without building them
        return int(super().total_form_count())

    def initial_form_count(self) -> int:
        if self.save_as_new:
            return 0  # as in Django: every posted row becomes a new child
        if not self.is_bound:
            return len(self.children)
        return max(0, min(super().initial_form_count(), self.total_form_count()))

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        existing = i < self.initial_form_count()
        self.form = (self.layouts.existing if existing else self.layouts.new).form_class
        try:
            return super()._construct_form(i, **kwargs)
        finally:
            self.form = self.layouts.new.form_class

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        existing = index is not None and index < self.initial_form_count()
        instance = self.instance_at(index)
        if not existing:
            return {"session": self.session, "instance": instance, "initial": self._new_initial()}
        initial = self.layouts.existing.initial(instance) if instance is not None else {}
        if instance is not None:
            initial[ID_FIELD] = self.inline.mapper.primary_key_from_instance(instance)[0]
        return {"session": self.session, "instance": instance, "initial": initial}

    def _new_initial(self) -> dict[str, Any]:
        return self.layouts.new.initial(None)

    def instance_at(self, index: int | None) -> Any:
        """Row `index`'s child: an existing one (None if unknown here) or a new, unsaved one."""
        if index is not None and index in self._instances:
            return self._instances[index]
        if index is not None and index < self.initial_form_count():
            instance = self._existing(index)
        else:
            instance = self.inline.model()
            # Set before validation, so that UNIQUE(cart_id, product_id) is checked.
            for name, value in (self.inline.relation.key_values(self.parent) or {}).items():
                setattr(instance, name, value)
        if index is not None:
            self._instances[index] = instance
        return instance

    def _existing(self, index: int) -> Any:
        if not self.is_bound:
            return self.children[index]
        raw = self.data.get(f"{self.add_prefix(index)}-{ID_FIELD}")
        try:
            key = parse_key(self.inline.mapper, raw)
        except (TypeError, ValueError):
            key = None
        child = self._by_key.get(key)
        if child is None:
            self.unknown_rows.add(index)
        return child

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if index is not None and index < self.initial_form_count():
            form.fields[ID_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)

    # What a valid POST does, row by row.

    def is_deleted(self, index: int, form: Any) -> bool:
        existing = index < self.initial_form_count()
        return existing and self.can_delete and bool(form.cleaned_data.get(DELETION_FIELD_NAME))

    def is_added(self, index: int, form: Any) -> bool:
        return index >= self.initial_form_count() and form.has_changed()

    def is_changed(self, index: int, form: Any) -> bool:
        if index >= self.initial_form_count() or self.is_deleted(index, form):
            return False
        return any(name not in BOOKKEEPING for name in form.changed_data)

    def rows(self, kind: str) -> list[AdminModelForm]:
        """The forms to "delete", "change" or "add", in page order."""
        test = {"delete": self.is_deleted, "change": self.is_changed, "add": self.is_added}[kind]
        return [form for index, form in enumerate(self.forms) if test(index, form)]

    def has_changes(self) -> bool:
        return any(self.rows(kind) for kind in ("delete", "change", "add"))

    def save(self, request: HttpRequest, parent: Any) -> bool:
        """Write the rows' changes in the parent's transaction; False (rolled back) if refused."""
        return save_rows(request, self, parent)

    # Validation beyond each row's own (shop.admin.inlines.validation).

    def clean(self) -> None:
        problems = formset_problems(self)
        if problems:
            raise ValidationError(problems)
        mark_duplicates(self)
        if any(form.has_error(NON_FIELD_ERRORS, "stale") for form in self.rows("delete")):
            raise ValidationError(STALE_MESSAGE, code="stale")

    def page(self) -> InlinePage | None:
        """The page of children shown, None when they all fit on one."""
        if self.is_bound and self._page is None and self.parent is not None:
            per_page = self.inline.get_max_shown(self.request, self.parent)
            self._page = page_after_post(
                self.session, self.request, self.inline, self.parent, per_page
            )
        return self._page

    def existing_count(self, cap: int) -> int:
        """How many children the parent has now, shown or not, counting at most `cap`."""
        if not self.is_bound and self._page is None:
            return len(self.children)
        return count_children(self.session, self.request, self.inline, self.parent, cap=cap)

    def posted_count(self, count: str) -> int:
        """TOTAL_FORMS or INITIAL_FORMS as posted (0 when missing or not a number)."""
        return int(self.management_form.cleaned_data.get(count) or 0)

    def is_kept(self, index: int, form: Any) -> bool:
        """Will this row exist after the save (an existing row not deleted, or a new one)?"""
        if self.is_deleted(index, form):
            return False
        return index < self.initial_form_count() or self.is_added(index, form)
