"""The rows an action works on: the ticked ids, or every row the list matches.

A Selection never holds its rows: it is a SELECT of their keys, within a scope (the
changelist's filtered, searched and row-scoped query, or one object's), that actions
count, sample or walk a batch at a time by primary key. It also remembers the version
of each row the user saw, so that a row changed since then is refused, not overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, raiseload
from sqlalchemy.orm.interfaces import ORMOption

from shop.admin.actions.base import (
    ACTION_CHECKBOX_NAME,
    ACTION_NAME,
    SEEN_VERSION,
    SELECT_ACROSS,
    ActionFailed,
)
from shop.admin.audit import entity_id
from shop.admin.forms.factory import version_of
from shop.admin.lookup import parse_pk

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

BATCH_SIZE = 500
MAX_SELECTED = 10_000
TRUE_VALUES = frozenset({"1", "on", "true", "True", "yes"})
Key = tuple[Any, ...]

STALE_ROW = (
    "“{row}” was changed by someone else since you opened the list. Nothing was changed: "
    "reload the list and run the action again."
)
MISSING_ROWS = (
    "{count} of the selected {name} no longer match this list: someone else changed or "
    "deleted them since you opened it. Nothing was changed: reload the list and try again."
)


def key_in(columns: Sequence[Any], keys: Any) -> ColumnElement[bool]:
    """`columns IN keys` for a one-column or a composite key (`keys`: values or a SELECT)."""
    if len(columns) == 1:
        if isinstance(keys, Select):
            return columns[0].in_(keys)
        return columns[0].in_([key[0] for key in keys])
    return tuple_(*columns).in_(keys)


def key_after(columns: Sequence[Any], last: Key) -> ColumnElement[bool]:
    """Rows after `last` in primary key order (keyset paging), for any key width."""
    if len(columns) == 1:
        return columns[0] > last[0]
    terms = []
    for position, column in enumerate(columns):
        earlier = [c == v for c, v in zip(columns[:position], last, strict=False)]
        terms.append(and_(*earlier, column > last[position]))
    return or_(*terms)


@dataclass
class Selection:
    """The selected rows of `model_admin`'s model, as a query within `scope`."""

    model_admin: ModelAdmin
    session: Session
    scope: Select[Any]  # the rows the user may act on here
    ids: tuple[Key, ...] = ()
    across: bool = False  # every row of the scope, not only `ids`
    seen: dict[Key, str] = field(default_factory=dict)  # key -> version shown to the user
    action: str = ""  # the action's name, carried by intermediate pages
    back_url: str = ""  # where the user came from (the list, or the object's page)

    @property
    def empty(self) -> bool:
        """Nothing ticked and not "all": Django's "Items must be selected" case."""
        return not self.across and not self.ids

    @property
    def columns(self) -> list[Any]:
        return list(self.model_admin.mapper.primary_key)

    def keys(self) -> Select[Any]:
        """SELECT of the selected rows' primary keys (uncorrelated: usable in any IN)."""
        statement = self.scope.with_only_columns(*self.columns).order_by(None)
        if not self.across:
            statement = statement.where(key_in(self.columns, self.ids))
        return statement.correlate(None)

    def rows(self) -> Select[Any]:
        """SELECT of the selected objects, in primary key order."""
        model = self.model_admin.model
        return select(model).where(key_in(self.columns, self.keys())).order_by(*self.columns)

    def count(self) -> int:
        statement = select(func.count()).select_from(self.keys().subquery())
        return int(self.session.execute(statement).scalar_one())

    def sample(self, limit: int) -> list[Any]:
        """The first `limit` selected objects (for a confirmation page)."""
        statement = self.rows().limit(limit).options(raiseload("*"))
        return list(self.session.scalars(statement))

    def batches(
        self, size: int | None = None, options: Sequence[ORMOption] = (raiseload("*"),)
    ) -> Iterator[list[Any]]:
        """Every selected object, `size` at a time by primary key: bounded memory.

        Each batch is its own query (not an open cursor), so the caller may write between
        batches on every database. Rows the caller changes stay selected or not by their
        key alone: a change never makes a later batch skip or repeat a row.
        """
        mapper = self.model_admin.mapper
        size = size or BATCH_SIZE
        last: Key | None = None
        while True:
            statement = self.rows().options(*options).limit(size)
            if last is not None:
                statement = statement.where(key_after(self.columns, last))
            batch = list(self.session.scalars(statement))
            if not batch:
                return
            yield batch
            if len(batch) < size:
                return
            last = tuple(mapper.primary_key_from_instance(batch[-1]))

    def check_seen(self, obj: Any) -> None:
        """ActionFailed if `obj` is not at the version the user saw (when one was sent)."""
        key = tuple(self.model_admin.mapper.primary_key_from_instance(obj))
        seen = self.seen.get(key)
        if seen is not None and seen != str(version_of(self.model_admin, obj)):
            raise ActionFailed(STALE_ROW.format(row=safe_label(obj)))

    def check_complete(self, found: int) -> None:
        """ActionFailed if ticked rows vanished from the list (changed or deleted meanwhile)."""
        missing = len(set(self.ids)) - found
        if not self.across and missing > 0:
            name = self.model_admin.verbose_name_plural
            raise ActionFailed(MISSING_ROWS.format(count=missing, name=name))

    def carried(self) -> list[tuple[str, str]]:
        """The hidden fields that carry this selection through an intermediate page."""
        fields = [(ACTION_NAME, self.action), (SELECT_ACROSS, "1" if self.across else "0")]
        fields += [(ACTION_CHECKBOX_NAME, ",".join(str(part) for part in key)) for key in self.ids]
        fields += [
            (SEEN_VERSION, f"{','.join(str(part) for part in key)}:{version}")
            for key, version in self.seen.items()
        ]
        return fields


def safe_label(obj: Any) -> str:
    """str(obj), or its model and key if __str__ needs a relationship not loaded."""
    try:
        return str(obj)
    except InvalidRequestError:  # raiseload refused a lazy load: the key names the row
        return f"{type(obj).__name__} #{entity_id(obj)}"


def is_across(post: QueryDict) -> bool:
    """Django's hidden `select_across` ("1"/"0"), or the no-JavaScript checkbox ("1" if ticked)."""
    return any(value in TRUE_VALUES for value in post.getlist(SELECT_ACROSS))


def selected_keys(model_admin: ModelAdmin, raws: Sequence[str]) -> tuple[Key, ...]:
    """The posted `_selected_action` ids as keys; 400 for one that cannot be a key."""
    if len(raws) > MAX_SELECTED:
        raise BadRequest("Too many rows selected.")
    keys = []
    for raw in raws:
        key = parse_pk(model_admin, raw)
        if key is None:
            raise BadRequest("Invalid selection.")
        keys.append(key)
    return tuple(dict.fromkeys(keys))


def seen_versions(model_admin: ModelAdmin, raws: Sequence[str]) -> dict[Key, str]:
    """`<pk>:<version>` pairs as {key: version}; 400 for a malformed one."""
    if model_admin.mapper.version_id_col is None:
        return {}
    seen: dict[Key, str] = {}
    for raw in raws[:MAX_SELECTED]:
        pk, _, version = raw.rpartition(":")
        key = parse_pk(model_admin, pk)
        if key is None or not version or len(version) > 40:
            raise BadRequest("Invalid row version.")
        seen[key] = version
    return seen


def selection_from_post(
    request: HttpRequest,
    model_admin: ModelAdmin,
    scope: Select[Any],
    *,
    back_url: str,
    single: Key | None = None,
) -> Selection:
    """The selection a POST names: ids and `select_across` within `scope`.

    `single`: the one object of a change page, whatever ids were posted.
    """
    post = request.POST
    if single is not None:
        ids: tuple[Key, ...] = (single,)
    else:
        ids = selected_keys(model_admin, post.getlist(ACTION_CHECKBOX_NAME))
    return Selection(
        model_admin,
        request.db,  # type: ignore[attr-defined]
        scope,
        ids=ids,
        across=single is None and is_across(post),
        seen=seen_versions(model_admin, post.getlist(SEEN_VERSION)),
        back_url=back_url,
    )
