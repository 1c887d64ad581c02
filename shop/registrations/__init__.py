from __future__ import annotations

from django.http import HttpResponse
from django.urls import path


class _Site:
    @property
    def urls(self):
        return ([path("", lambda r: HttpResponse("index"), name="index")], "admin", "admin")


site = _Site()
