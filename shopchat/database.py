"""shopchat's own state in SQL: a SQLite file (one machine) or PostgreSQL
(``SHOPCHAT_DATABASE_URL``, shared by every replica).

Statements are written once, in what both accept: ``?`` placeholders, ``ON CONFLICT`` upserts,
``RETURNING``. Table definitions use SQLite's type names; ``Database.create`` maps them for
PostgreSQL. A database that cannot be reached raises ``DatabaseUnavailable`` (a ``StoreError``):
callers degrade on it (the page answers from memory, ``/readyz`` says why). Any other failure
(a bad statement, a deadlock) is a plain ``StoreError``.

The PostgreSQL side (psycopg pool, dialect, which errors mean "unreachable") is
``shopchat.postgres``. One circuit breaker per database (per URL for PostgreSQL, whose pool
every user in the process shares): after a ``DatabaseUnavailable``, transactions fail fast
for everyone (sessions, events, profiles) while one background probe pings it (at once, then
every ``RETRY_S`` seconds); only the calls in flight when it went away wait on a connect
timeout. A pool with every connection busy (``PoolBusy``) fails that call only, unless a
connection of its own cannot reach the server either.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shopchat.errors import ConfigError, StoreError

log = logging.getLogger(__name__)

Params = Sequence[Any]

RETRY_S = 5.0
"""While a database is unreachable, how often its breaker's background probe pings it."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached: down, refusing connections, or out of connections."""


class PoolBusy(DatabaseUnavailable):
    """No pooled connection came free in time: this call fails, the breaker stays closed
    unless the server does not answer a connection of its own either."""


@dataclass(frozen=True, slots=True)
class Result:
    rows: list[tuple[Any, ...]]
    rowcount: int


class Transaction(ABC):
    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Result: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Params]) -> int: ...


class Breaker:
    """Open while a database is unreachable: ``check`` fails fast, and one background thread
    pings it (``probe``) at once, then every ``RETRY_S`` seconds until it answers, which
    closes it."""

    def __init__(self, probe: Callable[[], None], describe: Callable[[], str]) -> None:
        self._probe, self._describe = probe, describe
        self._lock = threading.Lock()
        self._cause: DatabaseUnavailable | None = None
        self._prober: threading.Thread | None = None
        self._closed = False

    @property
    def open(self) -> bool:
        """The database failed and has not answered since."""
        return self._cause is not None

    def check(self) -> None:
        """Raise ``DatabaseUnavailable`` at once while open."""
        cause = self._cause
        if cause is not None:
            raise DatabaseUnavailable(f"{cause} (not retried: probing every {RETRY_S:g} s)")

    def failed(self, exc: DatabaseUnavailable) -> None:
        """Open (if closed) and start the probe."""
        with self._lock:
            if self._cause is not None or self._closed:
                return
            self._cause = exc
            log.warning("%s unreachable (%s): failing fast, retrying every %g s",
                        self._describe(), exc, RETRY_S)
            self._prober = threading.Thread(target=self._run, name="database-probe",
                                            daemon=True)
            self._prober.start()

    def succeeded(self) -> None:
        """Close (if open): the database answered."""
        if self._cause is None:
            return
        with self._lock:
            if self._cause is None:
                return
            self._cause = None
        log.warning("%s reachable again", self._describe())

    def close(self) -> None:
        """Stop probing (the database is being closed)."""
        self._closed = True

    def _run(self) -> None:
        # only the latest prober runs on (one closed by ``ping`` and reopened starts another)
        while self._prober is threading.current_thread() and self._cause is not None \
                and not self._closed:
            try:
                self._probe()
            except StoreError:
                pass
            except Exception:  # a bug must not leave the breaker open for good
                log.exception("%s: the probe failed unexpectedly", self._describe())
            else:
                self.succeeded()
                return
            time.sleep(RETRY_S)


_init_lock = threading.Lock()


class Database(ABC):
    kind: str
    """``sqlite`` or ``postgresql``."""

    def __init__(self) -> None:
        self._breaker = Breaker(self._probe, self.describe)
        self._ensured: set[str] = set()

    @property
    def breaker(self) -> Breaker:
        """This database's circuit breaker (shared by every handle on one PostgreSQL pool)."""
        breaker: Breaker | None = self.__dict__.get("_breaker")
        if breaker is None:  # a subclass that skipped ``Database.__init__``
            with _init_lock:
                breaker = self.__dict__.setdefault("_breaker", Breaker(self._probe,
                                                                       self.describe))
        return breaker

    def available(self) -> bool:
        """False while the breaker is open: calls fail fast without trying the database."""
        return not self.breaker.open

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A ``Transaction``: committed on exit, rolled back on error; fails fast while the
        breaker is open, and opens it on ``DatabaseUnavailable``."""
        breaker = self.breaker
        breaker.check()
        try:
            with self._transaction() as tx:
                yield tx
        except DatabaseUnavailable as exc:
            if self._down(exc):
                breaker.failed(exc)
            raise
        breaker.succeeded()

    @abstractmethod
    def _transaction(self) -> Any:
        """A context manager yielding a ``Transaction`` (no breaker)."""

    def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` unless a trivial query answers now: always tried, even
        with the breaker open (``/readyz``); the breaker follows the answer."""
        try:
            self._probe()
        except DatabaseUnavailable as exc:
            if self._down(exc):
                self.breaker.failed(exc)
            raise
        self.breaker.succeeded()

    def _probe(self) -> None:
        with self._transaction() as tx:
            tx.execute("SELECT 1")

    def _down(self, exc: DatabaseUnavailable) -> bool:
        """Whether ``exc`` means the database is down for everyone (opens the breaker)."""
        return True

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where it is, without credentials (for messages and logs)."""

    def execute(self, sql: str, params: Params = ()) -> Result:
        """One statement in a transaction of its own."""
        with self.transaction() as tx:
            result: Result = tx.execute(sql, params)
            return result

    def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        with self.transaction() as tx:
            count: int = tx.executemany(sql, rows)
            return count

    def create(self, ddl: str) -> None:
        """Run ``;``-separated ``CREATE ... IF NOT EXISTS`` statements (SQLite type names)."""
        with self.transaction() as tx:
            for statement in ddl.split(";"):
                if statement.strip():
                    tx.execute(self.dialect_ddl(statement))

    def ensure(self, ddl: str) -> None:
        """``create(ddl)`` once per database in this process (once it succeeds)."""
        ensured: set[str] = self.__dict__.setdefault("_ensured", set())
        if ddl not in ensured:
            self.create(ddl)
            ensured.add(ddl)

    def dialect_ddl(self, statement: str) -> str:
        return statement


# --- SQLite -------------------------------------------------------------------------------------


class _SqliteTransaction(Transaction):
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, params: Params = ()) -> Result:
        cur = self._db.execute(sql, tuple(params))
        rows = cur.fetchall() if cur.description is not None else []
        return Result(rows, cur.rowcount)

    def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        return int(self._db.executemany(sql, [tuple(r) for r in rows]).rowcount)


_SQLITE_UNAVAILABLE = re.compile(
    r"locked|busy|unable to open|disk I/O error|database or disk is full|readonly database",
    re.I)
"""SQLite errors that mean the file cannot be used now (another writer holds it past the
timeout, the disk is gone, full or read-only); any other (no such table, a syntax error) is
the statement's."""


class SqliteDatabase(Database):
    """One connection behind a lock; WAL mode lets other processes share the file."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self._lock = threading.RLock()

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self._lock:
            try:
                with self._db:
                    yield _SqliteTransaction(self._db)
            except sqlite3.OperationalError as exc:
                if _SQLITE_UNAVAILABLE.search(str(exc)):
                    raise DatabaseUnavailable(f"database {self.path}: {exc}") from exc
                raise StoreError(f"database {self.path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"database {self.path}: {exc}") from exc

    def close(self) -> None:
        self.breaker.close()
        with self._lock:
            self._db.close()

    def describe(self) -> str:
        return f"SQLite {self.path}"


def first_line(exc: BaseException) -> str:
    """An error's first line (driver messages run to several)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)


def redact(url: str) -> str:
    """``url`` without its password (in the user part or a ``password=`` parameter, of a URL
    or a ``key=value`` connection string)."""
    if "://" not in url:
        return _KEYWORD_PASSWORD.sub(r"\1***", url)
    parts = urlsplit(url)
    if parts.password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    if parts.query:
        query = [(k, "***" if k.lower() == "password" else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(query, safe="*"))
    return urlunsplit(parts)


# --- opening ------------------------------------------------------------------------------------

def open_database(url: str | None, sqlite_path: Path) -> Database:
    """``url`` (``SHOPCHAT_DATABASE_URL``) when set, else the SQLite file ``sqlite_path``."""
    if not url:
        return SqliteDatabase(sqlite_path)
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        from shopchat.postgres import SharedPostgres

        return SharedPostgres(url.replace(f"{scheme}://", "postgresql://", 1))
    if scheme == "sqlite":
        return SqliteDatabase(Path(url.split("://", 1)[1]))
    raise ConfigError(
        f"SHOPCHAT_DATABASE_URL={redact(url)!r}: use postgresql://user:password@host:port/db "
        "(or leave it unset for SQLite files under SHOPCHAT_HOME)")
