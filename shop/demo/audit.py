"""Demo audit trail: the history behind the other demo rows (price changes, grades given).

Entity names follow the admin's URLs (`<app>.<model>`), values are stored as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from shop.demo.context import DemoContext, Row, Step
from shop.demo.words import REGISTRAR
from shop.models import AuditDetail, AuditRecord

GRADE_EVENTS_PER_SCALE = 4
# (created_at, record without id, details without ids)
Event = tuple[datetime, Row, list[Row]]


def _record(entity: str, entity_id: int, label: str, actor: str, at: datetime) -> Row:
    return {
        "action": "change",
        "entity": entity,
        "entity_id": str(entity_id),
        "entity_repr": label[:200],
        "actor": actor,
        "created_at": at,
    }


def _detail(field: str, old: object, new: object) -> Row:
    return {
        "field": field,
        "old_value": None if old is None else str(old),
        "new_value": None if new is None else str(new),
    }


def _price_events(ctx: DemoContext) -> list[Event]:
    events: list[Event] = []
    for product_id, change in sorted(ctx.price_changes.items()):
        label = ctx.product_labels[product_id - 1]
        record = _record("commerce.product", product_id, label, change.actor, change.at)
        new_price = ctx.product_prices[product_id - 1]
        events.append((change.at, record, [_detail("price", change.old, new_price)]))
    return events


def _grade_events(ctx: DemoContext) -> list[Event]:
    rng = ctx.rng
    count = min(len(ctx.graded), ctx.count(GRADE_EVENTS_PER_SCALE))
    events: list[Event] = []
    for row in rng.sample(ctx.graded, count):
        enrolled = datetime.combine(row["enrolled_date"], time(), UTC)
        graded_at = min(
            enrolled + timedelta(days=rng.randint(80, 120), hours=rng.randint(9, 17)), ctx.now
        )
        label = f"student #{row['student_id']} in course #{row['course_id']}"
        details = [_detail("grade", None, row["grade"])]
        if row["status"] == "completed":
            details.append(_detail("status", "active", "completed"))
        record = _record("school.enrollment", row["id"], label, REGISTRAR, graded_at)
        events.append((graded_at, record, details))
    return events


def build_audit_records(ctx: DemoContext) -> list[Row]:
    events = sorted(_price_events(ctx) + _grade_events(ctx), key=lambda event: event[0])
    rows: list[Row] = []
    for audit_id, (_at, record, details) in enumerate(events, start=1):
        rows.append({"id": audit_id, **record})
        for detail in details:
            ctx.audit_details.append(
                {"id": len(ctx.audit_details) + 1, "audit_id": audit_id, **detail}
            )
    return rows


def build_audit_details(ctx: DemoContext) -> list[Row]:
    return ctx.audit_details


STEPS = (
    Step(AuditRecord, build_audit_records),
    Step(AuditDetail, build_audit_details),
)
