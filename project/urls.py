"""URLs: the staff admin lives under /admin/, exactly where Django admin would."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from shop.registrations import site

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", site.urls),
]
