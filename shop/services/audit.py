"""Audit rows for the workflows (commerce, school, clinic, community), in the admin's format
and the caller's transaction.

Records name their entity as the admin does (`<app_label>.<model_name>`, e.g.
"commerce.order"), so a workflow's changes show on each object's history page. Details
hang off their record through the relationship, so many records flush in one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from shop.admin.audit import ADDITION, CHANGE, DELETION, as_text, entity_id
from shop.models import AuditDetail, AuditRecord

Change = tuple[str, str | None, str | None]


def entity_label(model: type) -> str:
    """`<app_label>.<model_name>`: the domain module's last part and the lower-cased class."""
    return f"{model.__module__.rsplit('.', 1)[-1]}.{model.__name__.lower()}"


def record(
    session: Session, *, actor: str, action: str, obj: Any, changes: Sequence[Change]
) -> AuditRecord:
    """Add one audit record with its field details (flushed with the caller's next flush)."""
    row = AuditRecord(
        action=action,
        entity=entity_label(type(obj)),
        entity_id=entity_id(obj),
        entity_repr=str(obj)[:200],
        actor=actor[:150],
        details=[
            AuditDetail(field=field, old_value=old, new_value=new) for field, old, new in changes
        ],
    )
    session.add(row)
    return row


def _columns(obj: Any) -> list[tuple[str, str | None]]:
    mapper = sa_inspect(obj).mapper
    return [(prop.key, as_text(getattr(obj, prop.key))) for prop in mapper.column_attrs]


def record_addition(session: Session, actor: str, obj: Any) -> AuditRecord:
    """Every filled-in column of a newly flushed `obj` (it needs its id)."""
    changes = [(field, None, value) for field, value in _columns(obj) if value]
    return record(session, actor=actor, action=ADDITION, obj=obj, changes=changes)


def record_change(session: Session, actor: str, obj: Any, changes: Sequence[Change]) -> AuditRecord:
    return record(session, actor=actor, action=CHANGE, obj=obj, changes=changes)


def record_deletion(session: Session, actor: str, obj: Any) -> AuditRecord:
    """The last values of `obj`, written before it is deleted."""
    changes = [(field, value, None) for field, value in _columns(obj) if value]
    return record(session, actor=actor, action=DELETION, obj=obj, changes=changes)
