"""The deletion graph on schemas this project does not have: trees, ORM-only cascades,
SET NULL, composite keys. A throwaway registry in an in-memory SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import RequestFactory
from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from shop.admin import AdminSite, ModelAdmin
from shop.admin.deletion import BLOCK, DELETE, KEEP, build_graph, collect


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))

    def __str__(self) -> str:
        return self.name


class Folder(Base):
    __tablename__ = "folders"
    id: Mapped[int] = mapped_column(primary_key=True)
    # ORM-only cascade: the key has no ON DELETE, the relationship deletes the files.
    files: Mapped[list[File]] = relationship(cascade="all, delete-orphan")
    # ORM nulls the key of the notes (nullable): they stay.
    notes: Mapped[list[Note]] = relationship()
    # The ORM leaves tags to the database, which has no rule: they block.
    tags: Mapped[list[Tag]] = relationship(passive_deletes=True)


class File(Base):
    __tablename__ = "files"
    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int] = mapped_column(ForeignKey("folders.id"))


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id"))
    # SET NULL in the database: kept as well.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int] = mapped_column(ForeignKey("folders.id"))


class Shelf(Base):
    """A composite primary key; its slots follow it by a composite CASCADE key."""

    __tablename__ = "shelves"
    room: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)


slots = Table(
    "slots",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("room", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    ForeignKeyConstraint(
        ["room", "number"], ["shelves.room", "shelves.number"], ondelete="CASCADE"
    ),
)


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))


site = AdminSite(name="graph-test")
site.register([Category, Folder, File, Note, Tag, Shelf, Item], ModelAdmin)


class _User:
    def has_perm(self, _perm: str) -> bool:
        return True


@pytest.fixture
def memory_db() -> Iterator[Session]:
    engine = create_engine("sqlite://")

    @event.listens_for(engine, "connect")
    def _fks(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def request_() -> Any:
    request = RequestFactory().get("/")
    request.user = _User()
    return request


def _actions(model: type) -> dict[str, str]:
    admin = site.get_model_admin(model)
    graph = build_graph(admin.table, admin.mapper.registry)
    actions = {e.child.name: DELETE for t in graph.incoming for e in graph.incoming[t]}
    actions.update({e.child.name: BLOCK for e in graph.blocking})
    return actions


def test_orm_relationships_decide_before_the_foreign_keys() -> None:
    assert _actions(Folder) == {"files": DELETE, "tags": BLOCK}
    assert KEEP not in _actions(Folder).values(), "notes are nulled, not deleted or blocking"


def test_a_tree_is_followed_down_to_the_depth_limit(memory_db, request_) -> None:
    root = Category(name="root")
    child = Category(name="child", parent_id=None)
    memory_db.add(root)
    memory_db.flush()
    child.parent_id = root.id
    memory_db.add(child)
    memory_db.flush()
    memory_db.add_all([Category(name=f"leaf {i}", parent_id=child.id) for i in range(3)])
    memory_db.add(Note(category_id=root.id))
    memory_db.flush()
    preview = collect(memory_db, request_, site.get_model_admin(Category), root)
    assert preview.summary == [("Categories", 5)]
    assert preview.truncated, "a cycle can always go deeper than the walk"
    assert not preview.refused
    assert [row.label for row in preview.deleted[0].rows] == [
        "root",
        "child",
        "leaf 0",
        "leaf 1",
        "leaf 2",
    ]


def test_orm_cascades_nulling_and_blocking(memory_db, request_) -> None:
    folder = Folder()
    memory_db.add(folder)
    memory_db.flush()
    memory_db.add_all([File(folder_id=folder.id) for _ in range(2)] + [Note(folder_id=folder.id)])
    memory_db.flush()
    preview = collect(memory_db, request_, site.get_model_admin(Folder), folder)
    assert preview.summary == [("Folders", 1), ("Files", 2)]
    assert not preview.refused
    memory_db.delete(folder)
    memory_db.flush()  # the ORM deletes the files and nulls the note, as predicted
    assert memory_db.scalar(select(func.count()).select_from(File)) == 0
    assert memory_db.scalar(select(Note.folder_id)) is None

    other = Folder()
    memory_db.add(other)
    memory_db.flush()
    memory_db.add(Tag(folder_id=other.id))
    memory_db.flush()
    preview = collect(memory_db, request_, site.get_model_admin(Folder), other)
    assert [(g.name, g.count) for g in preview.protected] == [("Tags", 1)]


def test_composite_keys_cascade_through_levels(memory_db, request_) -> None:
    shelf = Shelf(room=1, number=2)
    memory_db.add_all([shelf, Shelf(room=1, number=3)])
    memory_db.flush()
    memory_db.execute(
        slots.insert(),
        [
            {"id": 1, "room": 1, "number": 2},
            {"id": 2, "room": 1, "number": 2},
            {"id": 3, "room": 1, "number": 3},
        ],
    )
    memory_db.add_all([Item(slot_id=1), Item(slot_id=2), Item(slot_id=3)])
    memory_db.flush()
    preview = collect(memory_db, request_, site.get_model_admin(Shelf), shelf)
    assert preview.summary == [("Shelfs", 1), ("Slots", 2), ("Items", 2)]
    links = next(group for group in preview.deleted if group.table is slots)
    assert links.is_links
