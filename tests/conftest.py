"""Test databases and isolation.

Django creates its test database as usual. SQLAlchemy's tables are migrated with Alembic
into the same test database on PostgreSQL and MariaDB (as in production), and into a
temporary file on SQLite (Django's own test database there is in memory).

Every test runs inside an outer transaction that is rolled back afterwards: the
sessionmaker is bound to that connection with join_transaction_mode="create_savepoint",
so the middleware's commit only releases a savepoint ("Joining a Session into an
External Transaction" in the SQLAlchemy docs). Tests marked `committed` commit for real.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from sqlalchemy import Connection, Engine, delete
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from shop import db as shop_db
from shop.migrations import upgrade_head
from shop.models import Base
from tests.django_tables import mirror_django_auth_tables
from tests.querycount import QueryCounter, install_counter


def _sqlalchemy_test_url(django_name: str, tmp_dir: Path) -> URL:
    url: URL = settings.SQLALCHEMY_URL
    if url.get_backend_name() == "sqlite":
        return url.set(database=str(tmp_dir / "domain.sqlite3"))
    return url.set(database=django_name)


@pytest.fixture(scope="session")
def sa_engine(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    from django.db import connection

    url = _sqlalchemy_test_url(connection.settings_dict["NAME"], tmp_path_factory.mktemp("sa"))
    engine = shop_db.build_engine(url)
    install_counter(engine)
    upgrade_head(engine)
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        mirror_django_auth_tables(engine)
    shop_db.use_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def sa_connection(
    request: pytest.FixtureRequest, sa_engine: Engine, db: None
) -> Iterator[Connection | None]:
    """The outer transaction every test runs in (none for `committed` tests)."""
    if request.node.get_closest_marker("committed"):
        yield None
        _empty_all_tables(sa_engine)
        return
    connection = sa_engine.connect()
    transaction = connection.begin()
    shop_db.SessionFactory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        shop_db.SessionFactory.configure(
            bind=sa_engine, join_transaction_mode="conditional_savepoint"
        )
        if transaction.is_active:
            transaction.rollback()
        connection.close()


def _empty_all_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def session(sa_connection: Connection | None) -> Iterator[Session]:
    """A Session inside the test's transaction, like the one a request gets."""
    with shop_db.SessionFactory() as db_session:
        yield db_session


@pytest.fixture
def queries(sa_engine: Engine) -> QueryCounter:
    """Counts the SQL statements run inside `with queries:` blocks."""
    return QueryCounter(sa_engine)


@pytest.fixture
def dialect(sa_engine: Engine) -> str:
    return sa_engine.dialect.name


@pytest.fixture
def staff_user(django_user_model: type, db: None) -> object:
    return django_user_model.objects.create_user(
        username="staff", password="correct horse battery staple", is_staff=True
    )


@pytest.fixture
def superuser(django_user_model: type, db: None) -> object:
    return django_user_model.objects.create_superuser(
        username="root", password="correct horse battery staple", email="root@example.com"
    )


@pytest.fixture
def admin_client(client: object, superuser: object) -> object:
    client.force_login(superuser)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def rf_request(superuser: object) -> object:
    """A GET request by the superuser, for building forms and changelists directly."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = superuser
    return request


@pytest.fixture
def chromium_path() -> Path:
    """Debian's Chromium for Playwright; missing, it skips (or fails with REQUIRE_BROWSER=1)."""
    import os

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        message = f"{chromium} is missing (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return chromium
