"""Bad configuration is reported in one line that names the variable, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project import dburl

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "bad_url",
    ["oracle://scott@db/x", "not a url", "postgresql://postgres@127.0.0.1:5432", "sqlite://"],
)
def test_a_wrong_database_url_is_a_one_line_error_naming_the_variable(bad_url: str) -> None:
    result = _manage("check", DATABASE_URL=bad_url, DEBUG="true")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_a_one_line_error_naming_the_variable() -> None:
    result = _manage(
        "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:9/nowhere", DEBUG="true"
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("postgres://u:p@h:5432/shop", "postgresql+psycopg"),
        ("postgresql://u@h/shop", "postgresql+psycopg"),
        ("mysql://root@127.0.0.1:3306/shop", "mysql+pymysql"),
        ("mariadb://root@127.0.0.1/shop", "mysql+pymysql"),
        ("sqlite:////tmp/x.sqlite3", "sqlite+pysqlite"),
    ],
)
def test_one_database_url_serves_both_orms(raw: str, driver: str) -> None:
    url = dburl.parse(raw)
    assert url.drivername == driver
    django = dburl.django_database(url)
    assert django["NAME"].endswith(("shop", "x.sqlite3"))


def test_the_error_names_the_variable_it_came_from() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^TEST_DATABASE_URLS: "):
        dburl.parse("ftp://x/y", "TEST_DATABASE_URLS")
