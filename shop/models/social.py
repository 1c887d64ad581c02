"""The community: users who follow each other, write posts, like and comment."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from shop.models.base import Base, choice_type, trigram_index
from shop.models.types import utcnow

if TYPE_CHECKING:
    from shop.models.commerce import Cart, Order

ROLES = ("member", "moderator", "admin")
SAFE_URL_SCHEMES = ("http", "https")

# Self-referential many-to-many: a plain association table, no data of its own.
following_table = Table(
    "following",
    Base.metadata,
    Column("follower_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # Indexed on its own: the primary key starts with follower_id, and a user's followers
    # (the user list counts them) are looked up by followed_id.
    Column("followed_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    CheckConstraint("follower_id <> followed_id", name="no_self_follow"),
)

likes_table = Table(
    "likes",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # A post's likes are counted by post_id, the key's second column: its own index.
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # The date hierarchy and the "created" filter of the user list.
        Index("ix_users_created_at", "created_at"),
        trigram_index("users", "username"),
        trigram_index("users", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)
    bio: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(choice_type("role", ROLES), default="member")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    following: Mapped[list[User]] = relationship(
        secondary=following_table,
        primaryjoin=lambda: User.id == following_table.c.follower_id,
        secondaryjoin=lambda: User.id == following_table.c.followed_id,
        back_populates="followers",
    )
    followers: Mapped[list[User]] = relationship(
        secondary=following_table,
        primaryjoin=lambda: User.id == following_table.c.followed_id,
        secondaryjoin=lambda: User.id == following_table.c.follower_id,
        back_populates="following",
    )
    liked_posts: Mapped[list[Post]] = relationship(secondary=likes_table, back_populates="liked_by")
    posts: Mapped[list[Post]] = relationship(
        back_populates="author", cascade="all, delete-orphan", passive_deletes=True
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="author", cascade="all, delete-orphan", passive_deletes=True
    )
    profile: Mapped[Profile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    cart: Mapped[Cart | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    # Orders are financial records: the database refuses to delete a user who has any.
    orders: Mapped[list[Order]] = relationship(back_populates="user", passive_deletes="all")

    __mapper_args__ = {"version_id_col": version_id}

    def __str__(self) -> str:
        return self.username


class Post(Base):
    __tablename__ = "posts"
    # The post list: newest first, the key breaking ties (seek pagination, deep pages).
    __table_args__ = (
        Index("ix_posts_created_at_id", "created_at", "id"),
        Index("ix_posts_author_id_created_at_id", "author_id", "created_at", "id"),
        trigram_index("posts", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(back_populates="posts")
    liked_by: Mapped[list[User]] = relationship(secondary=likes_table, back_populates="liked_posts")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.title


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_created_at_id", "created_at", "id"),
        # A post's comments in order (its page) and an author's, newest first.
        Index("ix_comments_post_id_created_at_id", "post_id", "created_at", "id"),
        Index("ix_comments_author_id_created_at_id", "author_id", "created_at", "id"),
        trigram_index("comments", "body"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(back_populates="comments")

    def __str__(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 60 else text[:59] + "…"


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint(
            "website IS NULL OR website LIKE 'http://%' OR website LIKE 'https://%'",
            name="website_http",
        ),
        Index("ix_profiles_display_name_id", "display_name", "id"),
        Index("ix_profiles_birthday", "birthday"),
        trigram_index("profiles", "display_name"),
        trigram_index("profiles", "website"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(200))
    birthday: Mapped[date | None]

    user: Mapped[User] = relationship(back_populates="profile")

    @validates("website")
    def _check_website(self, _key: str, value: str | None) -> str | None:
        # Only http(s) links are ever stored, so nothing else can be rendered as one.
        if not value:
            return None
        scheme, separator, rest = value.strip().partition("://")
        if not separator or scheme.lower() not in SAFE_URL_SCHEMES or not rest:
            raise ValueError("Enter a web address that starts with http:// or https://.")
        return f"{scheme.lower()}://{rest}"

    def __str__(self) -> str:
        return self.display_name
