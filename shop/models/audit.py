"""The audit trail: who changed what, when, with field-level old and new values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Base, trigram_index
from shop.models.types import utcnow


class AuditRecord(Base):
    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_entity", "entity", "entity_id"),
        Index("ix_audit_records_created_at_id", "created_at", "id"),
        # "My actions" on the index: one actor's latest records.
        Index("ix_audit_records_actor_created_at_id", "actor", "created_at", "id"),
        Index("ix_audit_records_action_created_at_id", "action", "created_at", "id"),
        trigram_index("audit_records", "entity_repr"),
        trigram_index("audit_records", "actor"),
        trigram_index("audit_records", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str] = mapped_column(String(100))
    entity_repr: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    details: Mapped[list[AuditDetail]] = relationship(
        back_populates="record", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return f"{self.action} {self.entity} {self.entity_repr}"


class AuditDetail(Base):
    __tablename__ = "audit_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audit_records.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    record: Mapped[AuditRecord] = relationship(back_populates="details")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} → {self.new_value!r}"
