"""The community: users, their posts, comments and profiles."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Comment, Post, Profile, User
from shop.registrations.customers import CustomerLinksMixin
from shop.registrations.site import site


@register(User, site=site)
class UserAdmin(CustomerLinksMixin, ModelAdmin):
    list_display = ("username", "email", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "created_at")
    search_fields = ("^username", "email")
    ordering = ("username",)
    # Thousands of followers or likes: edited with a chooser that never loads them all.
    autocomplete_fields = ("following", "liked_posts")
    date_hierarchy = "created_at"


@register(Post, site=site)
class PostAdmin(ModelAdmin):
    list_display = ("title", "author__username", "created_at")
    list_filter = ("created_at", "author")
    search_fields = ("title", "^author__username")
    ordering = ("-created_at",)
    autocomplete_fields = ("author",)
    date_hierarchy = "created_at"


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
    list_display = ("display_name", "user__username", "website", "birthday")
    list_filter = ("birthday",)
    search_fields = ("display_name", "^user__username", "website")
    ordering = ("display_name",)
    autocomplete_fields = ("user",)
