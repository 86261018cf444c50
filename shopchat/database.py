"""shopchat's own state in SQL: a SQLite file (one machine) or PostgreSQL
(``SHOPCHAT_DATABASE_URL``, shared by every replica).

Statements are written once, in what both accept: ``?`` placeholders, ``ON CONFLICT`` upserts,
``RETURNING``. Table definitions use SQLite's type names; ``Database.create`` maps them for
PostgreSQL. A database that cannot be reached raises ``DatabaseUnavailable`` (a ``StoreError``):
callers degrade on it (the page answers from memory, ``/readyz`` says why).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shopchat.errors import ConfigError, StoreError

log = logging.getLogger(__name__)

Params = Sequence[Any]

POOL_SIZE = 16
"""PostgreSQL connections per process and URL (one pool shared by sessions and events)."""
CONNECT_TIMEOUT_S = 3.0
"""How long a PostgreSQL connection attempt, or a wait for a free pooled one, may take."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached: down, refusing connections, or out of connections."""


@dataclass(frozen=True, slots=True)
class Result:
    rows: list[tuple[Any, ...]]
    rowcount: int


class Transaction(ABC):
    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Result: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Params]) -> int: ...


class Database(ABC):
    kind: str
    """``sqlite`` or ``postgresql``."""

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager yielding a ``Transaction``: committed on exit, rolled back on error."""

    @abstractmethod
    def ping(self) -> None:
        """Raise ``DatabaseUnavailable`` unless a trivial query answers now."""

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


class SqliteDatabase(Database):
    """One connection behind a lock; WAL mode lets other processes share the file."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
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
    def transaction(self) -> Iterator[Transaction]:
        with self._lock:
            try:
                with self._db:
                    yield _SqliteTransaction(self._db)
            except sqlite3.OperationalError as exc:
                raise DatabaseUnavailable(f"database {self.path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"database {self.path}: {exc}") from exc

    def ping(self) -> None:
        self.execute("SELECT 1")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def describe(self) -> str:
        return f"SQLite {self.path}"


# --- PostgreSQL ---------------------------------------------------------------------------------

_PG_TYPES = (
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b", re.I),
     "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
)


def postgres_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _PostgresTransaction(Transaction):
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> Result:
        cur = self._conn.execute(postgres_sql(sql), tuple(params))
        rows = cur.fetchall() if cur.description is not None else []
        return Result(rows, cur.rowcount)

    def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        if not rows:
            return 0
        with self._conn.cursor() as cur:
            cur.executemany(postgres_sql(sql), [tuple(r) for r in rows])
            return int(cur.rowcount)


class PostgresDatabase(Database):
    """A psycopg 3 connection pool; each transaction takes one connection for its length."""

    kind = "postgresql"

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self._errors = (psycopg.OperationalError, psycopg.InterfaceError)
        self._psycopg_error = psycopg.Error
        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, timeout=CONNECT_TIMEOUT_S, open=False,
            kwargs={"connect_timeout": max(1, int(CONNECT_TIMEOUT_S))},
            check=ConnectionPool.check_connection, name="shopchat")
        self._pool.open(wait=False)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection() as conn, conn.transaction():
                yield _PostgresTransaction(conn)
        except (PoolTimeout, *self._errors) as exc:
            raise DatabaseUnavailable(f"database {self.describe()}: {_first_line(exc)}") from exc
        except self._psycopg_error as exc:
            raise StoreError(f"database {self.describe()}: {_first_line(exc)}") from exc

    def dialect_ddl(self, statement: str) -> str:
        for pattern, replacement in _PG_TYPES:
            statement = pattern.sub(replacement, statement)
        return statement

    def create(self, ddl: str) -> None:
        # Replicas starting together race on CREATE ... IF NOT EXISTS (a unique violation on
        # PostgreSQL's catalog): one advisory lock serialises schema creation.
        with self.transaction() as tx:
            tx.execute("SELECT pg_advisory_xact_lock(727272)")
            for statement in ddl.split(";"):
                if statement.strip():
                    tx.execute(self.dialect_ddl(statement))

    def ping(self) -> None:
        self.execute("SELECT 1")

    def close(self) -> None:
        self._pool.close()

    def describe(self) -> str:
        return f"PostgreSQL {redact(self.url)}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def redact(url: str) -> str:
    """``url`` without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


# --- opening ------------------------------------------------------------------------------------

_shared: dict[str, tuple[PostgresDatabase, int]] = {}
_shared_lock = threading.Lock()


class SharedPostgres(Database):
    """A handle on a process-wide pool per URL: closing the last handle closes the pool."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        with _shared_lock:
            db, users = _shared.get(url) or (PostgresDatabase(url), 0)
            _shared[url] = (db, users + 1)
        self._db = db
        self._closed = False

    def transaction(self) -> Any:
        return self._db.transaction()

    def dialect_ddl(self, statement: str) -> str:
        return self._db.dialect_ddl(statement)

    def create(self, ddl: str) -> None:
        self._db.create(ddl)

    def ping(self) -> None:
        self._db.ping()

    def describe(self) -> str:
        return self._db.describe()

    def close(self) -> None:
        with _shared_lock:
            if self._closed:
                return
            self._closed = True
            db, users = _shared[self.url]
            if users > 1:
                _shared[self.url] = (db, users - 1)
                return
            del _shared[self.url]
        db.close()


def open_database(url: str | None, sqlite_path: Path) -> Database:
    """``url`` (``SHOPCHAT_DATABASE_URL``) when set, else the SQLite file ``sqlite_path``."""
    if not url:
        return SqliteDatabase(sqlite_path)
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        return SharedPostgres(url.replace(f"{scheme}://", "postgresql://", 1))
    if scheme == "sqlite":
        return SqliteDatabase(Path(url.split("://", 1)[1]))
    raise ConfigError(
        f"SHOPCHAT_DATABASE_URL={redact(url)!r}: use postgresql://user:password@host:port/db "
        "(or leave it unset for SQLite files under SHOPCHAT_HOME)")
