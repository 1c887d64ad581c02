"""Throughput under load and worker memory, through gunicorn (not a test).

    DATABASE_URL=postgresql://.../shop_scale python -m tests.benchmarks.load
        [--seconds 10] [--connections 4] [--workers 2] [--requests 1000] [--only orders]

Starts gunicorn with sync workers on the database filled by `manage.py seed_scale`, signs
in as the benchmark superuser (a database-backed session, as in production), and drives
each page with wrk (Debian package `wrk`) from 2 threads over `--connections` keep-alive
connections for `--seconds`: it prints requests per second and the median latency. Then
it sends `--requests` mixed requests (every page in turn) and prints each worker's
resident memory before and after. Figures depend on the machine; nothing here gates CI.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ("index", "/admin/"),
    ("products list", "/admin/commerce/product/"),
    ("orders list", "/admin/commerce/order/"),
    ("orders, status=paid", "/admin/commerce/order/?status__exact=paid"),
    ("order items list", "/admin/commerce/orderitem/"),
    ("order items page 10,000", "/admin/commerce/orderitem/?p=10000"),
    ("enrollments list", "/admin/school/enrollment/"),
    ("appointments list", "/admin/clinic/appointment/"),
    ("orders searched 'olga'", "/admin/commerce/order/?q=olga"),
    ("order change page", "/admin/commerce/order/999998/change/"),
    ("users list", "/admin/social/user/"),
    ("students list", "/admin/school/student/"),
    ("carts list", "/admin/commerce/cart/"),
]
REQUESTS_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
MEDIAN_RE = re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)$", re.M)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgresql"):
        sys.exit("set DATABASE_URL to the PostgreSQL database filled by `manage.py seed_scale`")
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="project.settings")
    env.setdefault("SECRET_KEY", "benchmark-only")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    return env


def _session_cookie(env: dict[str, str]) -> str:
    """A signed-in session for the benchmark superuser, stored in the database."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.benchmarks.scale import _client

    call_command("collectstatic", interactive=False, verbosity=0)
    client = _client()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "project.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def _get(base: str, path: str, cookie: str) -> None:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def _wrk(url: str, cookie: str, seconds: int, connections: int) -> tuple[float, float]:
    """(requests per second, median latency in ms) of one page under load."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    output = subprocess.run(
        [*command, "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=True
    ).stdout
    rate = float(REQUESTS_RE.search(output).group(1))  # type: ignore[union-attr]
    value, unit = MEDIAN_RE.search(output).groups()  # type: ignore[union-attr]
    median = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rate, median


def _worker_rss(server: subprocess.Popen[bytes]) -> dict[int, int]:
    """Resident memory (KiB) of each worker process of the gunicorn master."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{server.pid}\n" in text:
            rss = re.search(r"VmRSS:\s+(\d+) kB", text)
            found[int(status.parent.name)] = int(rss.group(1)) if rss else 0
    return found


def run(seconds: int, connections: int, workers: int, requests: int, only: str) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing (apt-get install wrk)")
    env = _environment()
    cookie = _session_cookie(env)
    port = _free_port()
    server = _start(env, workers, port)
    base = f"http://127.0.0.1:{port}"
    pages = [(label, path) for label, path in PAGES if only in label]
    try:
        for _label, path in pages:  # warm every worker's caches and connections
            for _ in range(workers * 2):
                _get(base, path, cookie)
        print(
            f"{'page':<28} {'req/s':>7} {'p50 ms':>8}   ({workers} workers, {connections} clients)"
        )
        for label, path in pages:
            rate, median = _wrk(base + path, cookie, seconds, connections)
            print(f"{label:<28} {rate:>7.1f} {median:>8.1f}")
        before = _worker_rss(server)
        for index in range(requests):
            _get(base, pages[index % len(pages)][1], cookie)
        after = _worker_rss(server)
        for pid, rss in sorted(after.items()):
            print(
                f"worker {pid}: RSS {before.get(pid, 0) / 1024:.1f} MB -> {rss / 1024:.1f} MB "
                f"after {requests} mixed requests"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    args = parser.parse_args(argv)
    run(args.seconds, args.connections, args.workers, args.requests, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
