"""The per-request session: commit only on success, always closed, GET never writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shop.models import User

pytestmark = pytest.mark.urls("tests.probe_urls")


def _usernames(session: Session) -> set[str]:
    return set(session.scalars(select(User.username)))


def test_a_view_that_writes_then_raises_leaves_no_row(client, session: Session) -> None:
    client.raise_request_exception = False
    response = client.post("/write-then-raise/")
    assert response.status_code == 500
    assert "ghost" not in _usernames(session)


def test_a_successful_write_is_committed(client, session: Session) -> None:
    response = client.post("/write-ok/")
    assert response.status_code == 200
    assert "fresh" in _usernames(session)


def test_a_commit_that_fails_never_yields_the_success_response(client, session: Session) -> None:
    session.add(User(username="taken", email="taken@example.com"))
    session.commit()
    response = client.post("/write-duplicate/")
    assert response.status_code == 409
    assert response.content != b"saved"
    assert b"Nothing was saved" in response.content
    assert session.scalar(select(func.count()).where(User.username == "taken")) == 1


def test_a_get_issues_no_insert_update_or_delete(client, queries) -> None:
    with queries:
        response = client.get("/read/")
    assert response.status_code == 200
    assert queries.selects_and_writes, "the probe should have read something"
    assert queries.writes == []


def test_a_get_that_tries_to_write_is_refused_and_rolled_back(client, session: Session) -> None:
    client.raise_request_exception = False
    response = client.get("/write-on-get/")
    assert response.status_code == 500
    assert "sneaky" not in _usernames(session)


@pytest.mark.committed
@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/read/", 200),
        ("post", "/write-ok/", 200),
        ("post", "/write-then-raise/", 500),
        ("post", "/write-duplicate/", 409),
    ],
)
def test_no_pool_connection_stays_checked_out_after_a_request(
    client, sa_engine: Engine, method: str, url: str, status: int
) -> None:
    client.raise_request_exception = False
    with sa_engine.begin() as connection:
        connection.execute(
            User.__table__.insert().values(
                username="taken",
                email="taken@example.com",
                role="member",
                is_active=True,
                created_at=datetime.now(UTC),
                version_id=1,
            )
        )
    assert sa_engine.pool.checkedout() == 0
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert sa_engine.pool.checkedout() == 0


def test_a_lost_database_connection_is_a_clear_error_page(client) -> None:
    response = client.get("/database-lost/")
    assert response.status_code == 503
    assert b"Nothing was saved" in response.content
    assert b"Traceback" not in response.content
