"""The community: users, their posts, comments and profiles."""

from __future__ import annotations

from shop.admin import ModelAdmin, register
from shop.models import Comment, Post, Profile, User
from shop.registrations.site import site


@register(User, site=site)
class UserAdmin(ModelAdmin):
    pass


@register(Post, site=site)
class PostAdmin(ModelAdmin):
    pass


@register(Comment, site=site)
class CommentAdmin(ModelAdmin):
    pass


@register(Profile, site=site)
class ProfileAdmin(ModelAdmin):
    pass
