"""Run the whole suite once per database: SQLite always, plus TEST_DATABASE_URLS.

    python -m tests.matrix [pytest arguments]

TEST_DATABASE_URLS holds space- or comma-separated URLs such as
`postgresql://postgres@127.0.0.1:5432/shop mysql://root@127.0.0.1:3306/shop`.
Each run gets a fresh, uniquely named database (Django creates `test_<name>_<pid>` and
drops it afterwards), so no other database is touched. A server that does not answer
is skipped with a visible message. The last line sums every run for CI.

The databases run side by side, up to MATRIX_JOBS at once (default: the number of CPU
cores): each run's output is kept and printed whole when it ends, never interleaved.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import URL

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    label: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    note: str = ""


def _server_urls() -> list[str]:
    raw = os.environ.get("TEST_DATABASE_URLS", "")
    return [part for part in raw.replace(",", " ").split() if part]


def _unique(url: URL) -> URL:
    return url.set(database=f"{url.database or 'shop'}_{os.getpid()}")


def _probe(url: URL) -> str | None:
    """None when the server answers, else the reason it does not."""
    # Ask the server, not the (not yet created) test database.
    system_db = "postgres" if url.get_backend_name() == "postgresql" else "information_schema"
    maintenance = url.set(database=system_db)
    engine = create_engine(maintenance, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return None
    except Exception as exc:  # any failure means "not available here"
        return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    finally:
        engine.dispose()


def _run(label: str, database_url: str, pytest_args: list[str], workdir: Path) -> Outcome:
    report = workdir / f"junit-{label}.xml"
    log = workdir / f"{label}.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "pytest", f"--junitxml={report}", *pytest_args]
    with log.open("wb") as output:
        code = subprocess.call(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    print(f"\n===== {label}: {database_url} =====", flush=True)
    sys.stdout.write(log.read_text(errors="replace"))
    sys.stdout.flush()
    outcome = _read_report(label, report)
    if code not in (0, 5) and outcome.failed == 0:
        outcome.failed, outcome.note = 1, f"pytest exited with {code}"
    return outcome


def _read_report(label: str, report: Path) -> Outcome:
    if not report.exists():
        return Outcome(label, failed=1, note="no report written")
    suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite[0]
    total, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    return Outcome(label, passed=total - failed - skipped, failed=failed, skipped=skipped)


def main(pytest_args: list[str]) -> int:
    from project.dburl import family, parse

    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="shop-tests-") as tmp:
        workdir = Path(tmp)
        runs = [("sqlite", f"sqlite:///{workdir / 'shop.sqlite3'}")]
        for raw in _server_urls():
            url = _unique(parse(raw, "TEST_DATABASE_URLS"))
            label = family(url)
            reason = _probe(url)
            if reason is not None:
                print(f"\n===== {label}: SKIPPED, the server does not answer ({reason}) =====")
                outcomes.append(Outcome(label, note=f"skipped: {reason}"))
                continue
            runs.append((label, url.render_as_string(hide_password=False)))
        jobs = int(os.environ.get("MATRIX_JOBS") or os.cpu_count() or 1)
        print(f"running {', '.join(label for label, _ in runs)}, {jobs} at a time", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(_run, label, url, pytest_args, workdir) for label, url in runs]
            outcomes = [future.result() for future in futures] + outcomes
    return _summarise(outcomes)


def _summarise(outcomes: list[Outcome]) -> int:
    print("\n===== databases =====")
    for o in outcomes:
        print(f"{o.label:>10}: {o.passed} passed, {o.failed} failed, {o.skipped} skipped {o.note}")
    passed = sum(o.passed for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    skipped = sum(o.skipped for o in outcomes)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
