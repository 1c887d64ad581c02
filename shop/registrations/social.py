"""The community: users, their posts, comments and profiles.

Lists show their counts as labeled correlated subqueries (shop.registrations.social_queries):
one query per page, sortable. A user's page edits whom they follow and the posts they
like with search choosers, lists their followers read-only (a bounded page and the
total, linked to the full list), and edits their profile inline. Adding a user also
creates their cart and, in a savepoint, their optional profile
(shop.registrations.user_creation). Follow and unfollow are actions
(shop.registrations.social_actions). A post's page edits its comments inline and who
liked it; deleting a post deletes its comments (the delete page lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from sqlalchemy import select
from sqlalchemy.orm import object_session

from shop.admin import ModelAdmin, register
from shop.admin.inlines import StackedInline, TabularInline
from shop.admin.urls import model_url
from shop.models import Comment, Post, Profile, User
from shop.registrations.customers import CustomerLinksMixin
from shop.registrations.site import site
from shop.registrations.social_actions import follow_user, unfollow_user
from shop.registrations.social_queries import (
    COMMENT_COUNT,
    FOLLOWER_COUNT,
    FOLLOWING_COUNT,
    LIKE_COUNT,
    LIKED_BY_COUNT,
    POST_COUNT,
    followers_page,
)
from shop.registrations.user_creation import (
    PROFILE_FIELDS,
    PROFILE_HELP,
    ProfileForm,
    UserForm,
    add_profile,
)
from shop.services.accounts import member_cart_create

USER_FIELDS = ("username", "email", "bio", "role", "is_active")
CUSTOMER_LINKS = ("customer_cart", "customer_orders")
FOLLOWERS_FILTER = "following__id__exact"  # users who follow the given id


class ProfileInline(StackedInline):
    """The user's one profile (none, or one to fill in)."""

    model = Profile
    form = ProfileForm
    fields = ("display_name", "website", "birthday")
    max_num = 1
    extra = 1


@register(User, site=site)
class UserAdmin(CustomerLinksMixin, ModelAdmin):
    list_display = (
        "username",
        "email",
        "role",
        "is_active",
        "follower_count",
        "following_count",
        "post_count",
        "like_count",
        "created_at",
    )
    # "following" also serves the followers link of a user's page (FOLLOWERS_FILTER).
    list_filter = ("role", "is_active", "created_at", "following")
    search_fields = ("^username", "email")
    ordering = ("username",)
    # Thousands of followers or likes: edited with a chooser that never loads them all.
    autocomplete_fields = ("following", "liked_posts")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
    form = UserForm
    inlines = (ProfileInline,)
    actions = (follow_user, unfollow_user)

    def get_query(self, request: HttpRequest) -> Any:
        return select(User, FOLLOWER_COUNT, FOLLOWING_COUNT, POST_COUNT, LIKE_COUNT)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Sequence[type[Any]]:
        # On the add page the profile is part of the form, saved in its own savepoint.
        return self.inlines if obj is not None else ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else ("followers_list", *fields)

    def get_fieldsets(
        self, request: HttpRequest, obj: Any = None
    ) -> Sequence[tuple[str | None, dict[str, Any]]]:
        if obj is None:
            return (
                (None, {"fields": USER_FIELDS}),
                ("Community", {"fields": self.autocomplete_fields}),
                ("Profile", {"fields": PROFILE_FIELDS, "description": PROFILE_HELP}),
            )
        readonly = self.get_readonly_fields(request, obj)
        links = tuple(name for name in CUSTOMER_LINKS if name in readonly)
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": (*USER_FIELDS, "created_at")}),
            ("Community", {"fields": ("following", "followers_list", "liked_posts")}),
        ]
        if links:
            fieldsets.append(("Shop", {"fields": links}))
        return fieldsets

    def followers_list(self, user: User) -> str:
        """The first followers, linked to their pages, the total and a link to them all."""
        session = object_session(user)
        assert session is not None  # the page's object, loaded by the request's session
        page = followers_page(session, user.id)
        if not page.total:
            return "No followers"
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((self._change_url(follower_id), name) for follower_id, name in page.shown),
        )
        everyone = f"{model_url(self, 'changelist')}?{urlencode({FOLLOWERS_FILTER: user.id})}"
        more = page.total - len(page.shown)
        tail = format_html(" and {} more", more) if more else ""
        count = f"{page.total} follower{'' if page.total == 1 else 's'}"
        return format_html('{}{} (<a href="{}">{}</a>)', links, tail, everyone, f"list all {count}")

    followers_list.short_description = "Followers"  # type: ignore[attr-defined]

    def _change_url(self, user_id: int) -> str:
        name = f"admin:{self.url_prefix}_change"
        return reverse(name, args=(user_id,), current_app=self.admin_site.name)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        session = request.db  # type: ignore[attr-defined]
        session.add(obj)
        member_cart_create(session, obj, actor=request.user.get_username())

    def save_related(
        self, request: HttpRequest, form: Any, obj: Any, change: bool
    ) -> list[tuple[str, str | None, str | None]]:
        details = super().save_related(request, form, obj, change)
        if not change:
            add_profile(request, self, form, obj)
        return details


class CommentInline(TabularInline):
    """A post's comments; past `max_shown` the page links to them instead."""

    model = Comment
    fields = ("author", "body", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("author",)
    ordering = ("created_at",)
    extra = 1
    show_change_link = True


@register(Post, site=site)
class PostAdmin(ModelAdmin):
    list_display = ("title", "author__username", "liked_by_count", "comment_count", "created_at")
    list_filter = ("created_at", "author")
    search_fields = ("title", "^author__username")
    ordering = ("-created_at",)
    autocomplete_fields = ("author", "liked_by")
    date_hierarchy = "created_at"
    inlines = (CommentInline,)

    def get_query(self, request: HttpRequest) -> Any:
        return select(Post, LIKED_BY_COUNT, COMMENT_COUNT)


@register(Comment, site=site)
class CommentAdmin(ModelAdmin):
    list_display = ("__str__", "post__title", "author__username", "created_at")
    list_filter = ("created_at",)
    search_fields = ("body", "^author__username", "post__title")
    ordering = ("-created_at",)
    autocomplete_fields = ("post", "author")
    date_hierarchy = "created_at"


@register(Profile, site=site)
class ProfileAdmin(ModelAdmin):
    # The website renders as a link only for http(s) addresses, with rel="nofollow".
    list_display = ("display_name", "user__username", "website", "birthday")
    list_filter = ("birthday",)
    search_fields = ("display_name", "^user__username", "website")
    ordering = ("display_name",)
    autocomplete_fields = ("user",)
    form = ProfileForm
