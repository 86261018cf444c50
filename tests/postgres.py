"""PostgreSQL for tests: a server, a fresh database per test, a private server to stop and start.

``postgres_url`` (session): ``SHOPCHAT_TEST_DATABASE_URL`` (CI starts one), else a private
cluster initdb'd from Debian's binaries (``/usr/lib/postgresql/*/bin``), else the test is
skipped with the reason; with ``CI`` set it fails instead. ``postgres_db_url``: a database of
its own on that server for one test, dropped afterwards. ``private_postgres``: a cluster of the
test's own (``PostgresServer``: ``stop()``, ``start()``, ``url``) for tests that take the
database away mid-load.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from glob import glob
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

from shopchat.net import free_port

log = logging.getLogger(__name__)

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "300",  # every test database gets its own pools
    "fsync": "off",  # test data: speed over durability against power loss
    "full_page_writes": "off",
}


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL binaries folder (or one with ``pg_ctl`` on PATH)."""
    found = sorted((Path(p) for p in glob(BIN_GLOB) if (Path(p) / "initdb").exists()),
                   key=lambda p: _version(p.parent.name))
    if found:
        return found[-1]
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl and shutil.which("initdb") else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in name.split(".") if x.isdigit())


def unavailable(reason: str) -> NoReturn:
    """Skip; in CI (``CI`` set), fail: CI must run the PostgreSQL tests."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


class PostgresServer:
    """A private PostgreSQL cluster in a folder of its own: free port, unix socket in that
    folder, trust authentication on loopback. Run as ``postgres`` when we are root (initdb
    refuses root)."""

    def __init__(self, bin_dir: Path, root: Path | None = None) -> None:
        self.bin = bin_dir
        self.root = root or Path(tempfile.mkdtemp(prefix="shopchat-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self.port = free_port()
        self.as_user = "postgres" if os.geteuid() == 0 else None
        if self.as_user:
            shutil.chown(self.root, self.as_user, self.as_user)

    @property
    def url(self) -> str:
        """The superuser's URL on the ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=self.root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({done.returncode}): "
                               f"{done.stderr.strip() or done.stdout.strip()}\n{self.tail()}")

    def init(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        return self

    def start(self) -> None:
        options = [f"-p {self.port}", f"-k {self.root}",
                   *(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())]
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                  "-o", " ".join(options), "start", timeout=90)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` (sessions ended, clean) or ``immediate`` (like a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                  timeout=90)

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            if self.running:
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_private_server() -> PostgresServer:
    """A started private cluster, or ``unavailable`` with the reason."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        unavailable("no PostgreSQL binaries (apt-get install postgresql, or set "
                    "SHOPCHAT_TEST_DATABASE_URL)")
    server = PostgresServer(bin_dir)
    try:
        server.init().start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.remove()
        unavailable(f"cannot start a private PostgreSQL: {exc}")
    return server


def with_database(url: str, name: str) -> str:
    """``url`` on database ``name``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def close_pools(url: str) -> None:
    """Close the process-wide pools a test left open on ``url`` (before its database goes)."""
    from shopchat import postgres as database

    with database._shared_lock:
        leaked = [db for key, (db, _) in database._shared.items() if key == url]
        for key in [key for key in database._shared if key == url]:
            del database._shared[key]
    for db in leaked:
        db.close()


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new empty database on ``admin_url``'s server (its URL), dropped on exit."""
    import psycopg

    name = f"shopchat_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        yield url
    finally:
        close_pools(url)
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as exc:  # the server went away (a test stopped it): not fatal
            log.warning("could not drop test database %s: %s", name, exc)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server's URL (a superuser, or a role that may create databases)."""
    url = os.environ.get("SHOPCHAT_TEST_DATABASE_URL")
    if url:
        import psycopg

        try:
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            pytest.fail(f"SHOPCHAT_TEST_DATABASE_URL is not answering: {exc}")
        yield url
        return
    server = start_private_server()
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture
def postgres_db_url(postgres_url: str) -> Iterator[str]:
    """An empty database of this test's own (``SHOPCHAT_DATABASE_URL`` for it), dropped after."""
    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A started PostgreSQL cluster of this test's own, to ``stop()`` and ``start()`` at will
    (its ``url``: the ``postgres`` database, the test's alone)."""
    server = start_private_server()
    try:
        yield server
    finally:
        close_pools(server.url)
        server.remove()
