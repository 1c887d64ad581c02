"""The audit trail: who did what to which record, with field-level old -> new values.

Rows are written through the request's own session, so they commit or roll back together
with the change they describe. The engine does not import the domain: the site is given
the two mapped classes (record and detail) whose columns follow the audit contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from shop.admin.options import ModelAdmin

ADDITION, CHANGE, DELETION = "add", "change", "delete"
Snapshot = dict[str, str | None]


def as_text(value: Any) -> str | None:
    """A stable text form of a column value for the audit trail."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def entity_id(obj: Any) -> str:
    identity = sa_inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else ""


@dataclass(frozen=True)
class AuditLog:
    """Writes audit records with the given mapped classes (see shop.models.audit)."""

    record_model: type
    detail_model: type

    def snapshot(self, obj: Any) -> Snapshot:
        """Every column attribute of `obj` as text, to diff against after a change."""
        mapper = sa_inspect(obj).mapper
        return {prop.key: as_text(getattr(obj, prop.key)) for prop in mapper.column_attrs}

    def log(
        self,
        session: Session,
        *,
        actor: str,
        action: str,
        model_admin: ModelAdmin,
        obj: Any,
        changes: Sequence[tuple[str, str | None, str | None]],
    ) -> Any:
        """Write one record and its details; flush() gives the record id for the details."""
        record = self.record_model(
            action=action[:50],
            entity=f"{model_admin.app_label}.{model_admin.model_name}",
            entity_id=entity_id(obj),
            entity_repr=str(obj)[:200],
            actor=actor[:150],
        )
        session.add(record)
        session.flush()
        session.add_all(
            self.detail_model(audit_id=record.id, field=field, old_value=old, new_value=new)
            for field, old, new in changes
        )
        return record

    def log_addition(self, session: Session, actor: str, model_admin: ModelAdmin, obj: Any) -> Any:
        changes = [(field, None, new) for field, new in self.snapshot(obj).items() if new]
        return self.log(
            session, actor=actor, action=ADDITION, model_admin=model_admin, obj=obj, changes=changes
        )

    def log_change(
        self, session: Session, actor: str, model_admin: ModelAdmin, obj: Any, before: Snapshot
    ) -> Any | None:
        """Record what differs from `before`; nothing is written when nothing changed."""
        changes = diff(before, self.snapshot(obj))
        if not changes:
            return None
        return self.log(
            session, actor=actor, action=CHANGE, model_admin=model_admin, obj=obj, changes=changes
        )

    def log_deletion(self, session: Session, actor: str, model_admin: ModelAdmin, obj: Any) -> Any:
        changes = [(field, old, None) for field, old in self.snapshot(obj).items() if old]
        return self.log(
            session, actor=actor, action=DELETION, model_admin=model_admin, obj=obj, changes=changes
        )


def diff(before: Snapshot, after: Snapshot) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) for every field whose text differs, version counters excluded."""
    return [
        (field, before.get(field), new)
        for field, new in after.items()
        if before.get(field) != new and field != "version_id"
    ]
