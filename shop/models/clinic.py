"""The pet clinic: owners and their pets, vets, and appointments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models.base import Base, choice_type, trigram_index

APPOINTMENT_STATUSES = ("scheduled", "completed", "cancelled", "no_show")


class Owner(Base):
    __tablename__ = "owners"
    __table_args__ = (
        Index("ix_owners_name_id", "name", "id"),
        trigram_index("owners", "name"),
        trigram_index("owners", "email"),
        trigram_index("owners", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str | None] = mapped_column(String(30))

    # Strong ownership: an owner's pets (and their appointments) go with the owner.
    pets: Mapped[list[Pet]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.name


class Pet(Base):
    __tablename__ = "pets"
    __table_args__ = (
        Index("ix_pets_name_id", "name", "id"),
        Index("ix_pets_species", "species"),
        Index("ix_pets_birth_date", "birth_date"),
        trigram_index("pets", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    species: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[date | None]

    owner: Mapped[Owner] = relationship(back_populates="pets")
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="pet", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.species})"


class Vet(Base):
    __tablename__ = "vets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    specialty: Mapped[str | None] = mapped_column(String(100))

    # Independent entity: the database refuses to delete a vet with appointments.
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="vet", passive_deletes="all"
    )

    def __str__(self) -> str:
        return self.name


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("vet_id", "scheduled_at"),
        # The appointment list: latest first, also within a status filter.
        Index("ix_appointments_scheduled_at_id", "scheduled_at", "id"),
        Index("ix_appointments_status_scheduled_at_id", "status", "scheduled_at", "id"),
        # A pet's visits, latest first (its page, and a search by pet name).
        Index("ix_appointments_pet_id_scheduled_at_id", "pet_id", "scheduled_at", "id"),
        trigram_index("appointments", "notes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pet_id: Mapped[int] = mapped_column(ForeignKey("pets.id", ondelete="CASCADE"))
    vet_id: Mapped[int] = mapped_column(ForeignKey("vets.id", ondelete="RESTRICT"))
    scheduled_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(
        choice_type("appointment_status", APPOINTMENT_STATUSES), default="scheduled"
    )
    notes: Mapped[str | None] = mapped_column(String(500))

    pet: Mapped[Pet] = relationship(back_populates="appointments")
    vet: Mapped[Vet] = relationship(back_populates="appointments")

    def __str__(self) -> str:
        return f"{self.scheduled_at:%Y-%m-%d %H:%M} (pet #{self.pet_id}, vet #{self.vet_id})"
