"""Site-level pages beside the model pages: dashboards and reports a domain adds to the site.

A page is registered with `site.register_page(SitePage(...))`. It is served at
`/admin/<route>` under the URL name `admin:<name>`, behind the site's staff check, CSRF
protection and never_cache, and only to the users its `has_permission(request)` lets in
(everyone else gets a 403). The index links to the pages each user may open.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

# Lower-case path segments ending with a slash: "commerce/dashboard/".
ROUTE_RE = re.compile(r"(?:[a-z0-9][a-z0-9_-]*/)+")
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")

PageView = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class SitePage:
    """One site-level page: where it lives, what the index calls it, and who may open it."""

    route: str  # under the site's root, e.g. "commerce/dashboard/"
    name: str  # the URL name within the site's namespace, e.g. "commerce_dashboard"
    title: str  # the link text on the index and the page's title
    view: PageView
    has_permission: Callable[[HttpRequest], bool]
    description: str = ""

    def __post_init__(self) -> None:
        if not ROUTE_RE.fullmatch(self.route):
            raise ImproperlyConfigured(f"site page route {self.route!r} must look like 'a/b/'")
        if not NAME_RE.fullmatch(self.name):
            raise ImproperlyConfigured(f"site page name {self.name!r} must be an identifier")

    @property
    def first_segment(self) -> str:
        return self.route.split("/", 1)[0]

    def guarded_view(self) -> PageView:
        """The view, answering 403 to a staff member the page does not let in."""

        def view(request: HttpRequest) -> HttpResponse:
            if not self.has_permission(request):
                raise PermissionDenied
            return self.view(request)

        return view


@dataclass(frozen=True)
class PageLink:
    """A site page as the index lists it."""

    title: str
    description: str
    url: str


def page_links(pages: list[SitePage], request: HttpRequest, site_name: str) -> list[PageLink]:
    """The pages `request.user` may open, in registration order."""
    links = []
    for page in pages:
        if not page.has_permission(request):
            continue
        try:
            url = reverse(f"admin:{page.name}", current_app=site_name)
        except NoReverseMatch:
            continue  # a site whose URLs are not mounted (a test site): nothing to link
        links.append(PageLink(page.title, page.description, url))
    return links
