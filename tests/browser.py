"""Chromium for the browser tests: Debian's binary driven by Playwright, and signing in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery staple"


@contextmanager
def chromium(executable: Path) -> Iterator[Any]:
    """A headless Chromium (`playwright install` cannot download one here), always closed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base_url: str, username: str = "boss") -> None:
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
