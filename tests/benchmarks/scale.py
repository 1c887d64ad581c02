"""Every admin page at production volume on PostgreSQL, against its budget (not a test).

    DATABASE_URL=postgresql://.../shop_scale python -m tests.benchmarks.scale [--runs 5]
        [--only orders] [--statements]

Reuses a database filled by `manage.py seed_scale` (it never writes domain rows). For
every registered changelist (first page, each sidebar filter's first choice, a search,
each date-hierarchy level, page 10,000 and its next page where they exist), every change
page kind and the pages beside it (grade book, transcript, schedule), the index, the
app indexes and the site pages (dashboard, grade report), it renders the page through
Django's test client and prints the median server time, the median SQL time and the
SQL statements of one request, flagging each page over its budget. `--statements`
also prints each page's slowest statement. Figures depend on the machine; nothing here
gates CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

SEARCH_TERMS = {
    "user": "olga",
    "order": "olga",
    "product": "teapot",
    "student": "quinn",
    "enrollment": "quinn",
    "owner": "kaur",
    "pet": "luna",
    "appointment": "luna",
    "vet": "surgery",
    "cart": "olga",
    "cartitem": "teapot",
    "orderitem": "teapot",
    "course": "phys",
    "club": "chess",
    "post": "sourdough",
    "comment": "bookmarked",
    "profile": "olga",
    "auditrecord": "maria",
}
# Searches by a name or e-mail fragment, held to the tighter search budget.
NAME_SEARCHES = frozenset({"user", "order", "student", "product"})
DEEP_PAGE = 10_000


@dataclass(frozen=True)
class Budget:
    total_ms: float
    sql_ms: float | None = None


LIST = Budget(50, 15)
SEARCH = Budget(30)
DEEP = Budget(150)
CHANGE = Budget(30)
INDEX = Budget(20)
REPORT = Budget(200)


@dataclass
class Page:
    label: str
    url: str
    budget: Budget


@dataclass
class Measure:
    total: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    statements: int = 0
    slowest: tuple[float, str] = (0.0, "")


class SqlClock:
    """Time and count every statement, SQLAlchemy's and Django's (sessions, auth)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.elapsed = 0.0
        self.count = 0
        self.slowest: tuple[float, str] = (0.0, "")
        self._started = 0.0

    def before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._record(statement, time.perf_counter() - self._started)

    def django(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self._record(sql, time.perf_counter() - started)

    def _record(self, statement: str, seconds: float) -> None:
        self.elapsed += seconds
        self.count += 1
        if seconds > self.slowest[0]:
            self.slowest = (seconds, " ".join(statement.split()))


def _configure() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("set DATABASE_URL to the PostgreSQL database filled by `manage.py seed_scale`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DEBUG"] = "false"  # as in production: no query log, no debug templates
    import django
    from django.core.management import call_command

    django.setup()
    # Production serves the hashed files collectstatic writes (whitenoise's manifest).
    call_command("collectstatic", interactive=False, verbosity=0)


def _client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username="benchmark").first()
    if user is None:
        user = user_model.objects.create_superuser("benchmark", "benchmark@example.com", None)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def _changelist(model_admin: Any, query: str = "") -> Any:
    """The ChangeList of `query`, built outside a request, to find links worth measuring."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from shop.admin.changelist import ChangeList
    from shop.db import new_session

    request = RequestFactory().get("/", dict(_pairs(query)))
    request.user = get_user_model().objects.get(username="benchmark")
    request.db = new_session()  # type: ignore[attr-defined]
    try:
        return ChangeList(request, model_admin)
    finally:
        request.db.close()  # type: ignore[attr-defined]


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query.lstrip("?"), keep_blank_values=True)


def changelist_pages(model_admin: Any) -> Iterator[Page]:
    name = model_admin.model_name
    base = f"/admin/{model_admin.app_label}/{name}/"
    title = model_admin.verbose_name_plural
    yield Page(f"{title}", base, LIST)
    cl = _changelist(model_admin)
    for spec in cl.filter_specs:
        choice = next((c for c in spec.choices if not c.selected), None)
        if spec.input_name:
            yield Page(f"{title}, {spec.title} = 1", f"{base}?{spec.input_name}=1", LIST)
        elif choice is not None:
            yield Page(f"{title}, {spec.title}: {choice.display}", base + choice.query_string, LIST)
    if model_admin.search_fields:
        term = SEARCH_TERMS.get(name, "a")
        budget = SEARCH if name in NAME_SEARCHES else LIST
        yield Page(f"{title}, searched {term!r}", f"{base}?q={term}", budget)
    if cl.date_hierarchy is not None:
        yield from _date_pages(model_admin, base, title, cl)
    count = cl.pagination.result_count.value or 0
    if count >= DEEP_PAGE * model_admin.list_per_page:
        yield Page(f"{title}, page {DEEP_PAGE:,}", f"{base}?p={DEEP_PAGE}", DEEP)
        deep = _changelist(model_admin, f"?p={DEEP_PAGE}")
        if deep.next_url:
            yield Page(f"{title}, next from page {DEEP_PAGE:,}", base + deep.next_url, LIST)


def _date_pages(model_admin: Any, base: str, title: str, cl: Any) -> Iterator[Page]:
    for depth in ("year", "month", "day"):
        links = [link for _title, link in cl.date_hierarchy.choices if link]
        if not links:
            return
        yield Page(f"{title}, one {depth}", base + links[-1], LIST)
        cl = _changelist(model_admin, links[-1])


def object_pages(model_admin: Any, cl: Any | None = None) -> Iterator[Page]:
    """The change page of the list's first row and the object pages beside it; for carts
    and orders also the one with 10,000 lines, on its first and its last inline page."""
    from django.urls import URLPattern
    from sqlalchemy import func, select

    from shop.db import new_session

    if not cl or not cl.result_list:
        return
    pk = cl.results[0].pk
    base = f"/admin/{model_admin.app_label}/{model_admin.model_name}/{pk}/"
    yield Page(f"{model_admin.verbose_name} #{pk}", f"{base}change/", CHANGE)
    if model_admin.model_name in ("cart", "order"):
        # seed_scale's wholesale customer: the first cart and the last order hold 10,000
        # lines each; the inline shows them a page at a time (`?items-page=N`).
        key = model_admin.mapper.primary_key[0]
        first_or_last = func.min(key) if model_admin.model_name == "cart" else func.max(key)
        with new_session() as session:
            big = session.scalar(select(first_or_last))
        last = -(-10_000 // model_admin.inlines[0].max_shown)
        url = f"/admin/{model_admin.app_label}/{model_admin.model_name}/{big}/change/"
        label = f"{model_admin.verbose_name} #{big}, 10,000 lines"
        yield Page(label, url, CHANGE)
        yield Page(f"{label}, page {last}", f"{url}?items-page={last}", CHANGE)
    standard = {"history", "delete", "actions", "change", "changelist", "add", "export"}
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        suffix = pattern.name.removeprefix(f"{model_admin.url_prefix}_")
        route = str(pattern.pattern)
        own_page = route.startswith("<path:object_id>/") and route.endswith("/")
        if own_page and suffix not in standard:
            label = f"{model_admin.verbose_name} #{pk} {suffix}"
            yield Page(label, f"{base}{route.split('/', 1)[1]}", REPORT)


def site_pages() -> Iterator[Page]:
    from shop.registrations import site

    yield Page("index", "/admin/", INDEX)
    for label in site.app_labels():
        yield Page(f"app index {label}", f"/admin/{label}/", INDEX)
    for page in site._pages:
        yield Page(page.title, f"/admin/{page.route}", REPORT)


def all_pages(only: str) -> Iterator[Page]:
    from shop.registrations import site

    yield from (page for page in site_pages() if only in page.label)
    for model_admin in site.model_admins():
        names = f"{model_admin.verbose_name_plural} {model_admin.verbose_name} #"
        if only and only not in names:
            continue  # neither its list pages nor its object pages can match
        pages = [*changelist_pages(model_admin)]
        pages += object_pages(model_admin, _changelist(model_admin))
        yield from (page for page in pages if only in page.label)


def measure(client: Any, clock: SqlClock, page: Page, runs: int) -> Measure:
    result = Measure()
    for run in range(runs + 1):  # the first run warms caches and is not counted
        clock.reset()
        started = time.perf_counter()
        response = client.get(page.url)
        total = time.perf_counter() - started
        if response.status_code != 200:
            location = response.get("Location", "")
            raise RuntimeError(f"{page.url}: {response.status_code} {location}")
        if run:
            result.total.append(total * 1000)
            result.sql.append(clock.elapsed * 1000)
            result.statements = clock.count
            result.slowest = max(result.slowest, clock.slowest)
    return result


def over_budget(page: Page, total: float, sql: float) -> bool:
    budget = page.budget
    return total > budget.total_ms or (budget.sql_ms is not None and sql > budget.sql_ms)


def run(runs: int, only: str, statements: bool) -> int:
    _configure()
    from django.db import connection
    from sqlalchemy import event

    from shop.db import get_engine

    client = _client()
    clock = SqlClock()
    event.listen(get_engine(), "before_cursor_execute", clock.before)
    event.listen(get_engine(), "after_cursor_execute", clock.after)
    over = 0
    print(f"{'page':<58} {'median':>8} {'SQL':>7} {'stmts':>5}  budget")
    with connection.execute_wrapper(clock.django):
        for page in all_pages(only):
            try:
                found = measure(client, clock, page, runs)
            except RuntimeError as exc:
                print(f"{page.label[:58]:<58} FAILED {exc}")
                over += 1
                continue
            total, sql = statistics.median(found.total), statistics.median(found.sql)
            flag = "  OVER" if over_budget(page, total, sql) else ""
            over += bool(flag)
            limit = f"{page.budget.total_ms:g}" + (
                f"/{page.budget.sql_ms:g}" if page.budget.sql_ms else ""
            )
            label = page.label[:58]
            print(f"{label:<58} {total:>6.1f}ms {sql:>5.1f}ms {found.statements:>5}  {limit}{flag}")
            if statements:
                seconds, text = found.slowest
                print(f"    slowest {seconds * 1000:.1f}ms: {text[:300]}")
    print(f"{over} page(s) over budget")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    parser.add_argument("--statements", action="store_true", help="print the slowest statement")
    args = parser.parse_args(argv)
    return run(args.runs, args.only, args.statements)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
