"""Engines and units of work for the embedded SQLite file and the office PostgreSQL server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.config import Settings
from clerk_app.errors import ConnectionFailed
from clerk_app.services.text_fold import fold

if TYPE_CHECKING:
    from clerk_app.services.secret_store import SecretStore

log = logging.getLogger("clerk_app.db")

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_SYNCHRONOUS = "NORMAL"
SQLITE_DURABLE_SYNCHRONOUS = "FULL"  # WAL: the commit waits for the log's fsync
_SYNCHRONOUS_KEY = "clerk_synchronous"


def resolve_url(settings: Settings, secrets: SecretStore | None = None) -> URL:
    """The configured URL, with the password taken from the keyring when it has none."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "postgresql" and url.username and url.password is None:
        from clerk_app.services.secret_store import SecretStore, database_secret_name

        store = secrets or SecretStore(settings)
        password = store.get(database_secret_name(url.username, url.host or "", url.database or ""))
        if password:
            url = url.set(password=password)
    return url


def create_db_engine(url: URL | str) -> Engine:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": "kancelaria"},
    )


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # WAL + NORMAL: a commit is atomic and consistent but may be lost on power loss;
        # a commit an outside party is told about uses FULL (Database.session(durable=True)).
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.close()
        # The search index triggers fold text with the same function as the queries.
        dbapi_connection.create_function("clerk_fold", 1, _sql_fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        # Writers take the lock up front so two processes never deadlock on upgrade.
        # ``sqlite_begin=None`` (Database.read): no BEGIN, each SELECT is its own snapshot.
        mode = options.get("sqlite_begin", "DEFERRED")
        if mode is None:
            return
        # SQLite refuses to change the safety level inside a transaction: set it before
        # BEGIN, and only when it changes (a durable store, then an ordinary write).
        level = options.get("sqlite_synchronous", SQLITE_SYNCHRONOUS)
        info = conn.connection.info
        if info.get(_SYNCHRONOUS_KEY, SQLITE_SYNCHRONOUS) != level:
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            info[_SYNCHRONOUS_KEY] = level
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _sql_fold(value: object) -> str:
    """``clerk_fold(x)`` in SQLite: ``text_fold.fold`` that also accepts NULL and numbers."""
    if value is None:
        return ""
    return fold(value if isinstance(value, str) else str(value))


class Database:
    """One engine per process; services open a session per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)
        # PostgreSQL commits are durable already (synchronous_commit=on by default).
        durable = (
            writer.execution_options(sqlite_synchronous=SQLITE_DURABLE_SYNCHRONOUS)
            if self.is_sqlite
            else writer
        )
        self._durable_sessions = sessionmaker(durable, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings, secrets: SecretStore | None = None) -> Database:
        return cls(create_db_engine(resolve_url(settings, secrets)))

    @contextmanager
    def session(self, write: bool = False, durable: bool = False) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error.

        ``durable=True`` (a write whose commit is then reported to an outside party, e.g. a
        received message confirmed to ePUAP): the commit survives a power loss once it
        returns. SQLite runs that transaction with ``synchronous=FULL``; others keep NORMAL
        (WAL: atomic, but the last commits may be lost on power loss).
        """
        if durable and not write:
            raise ValueError("durable=True needs write=True")
        factory = (
            self._durable_sessions if durable else self._write_sessions if write else self._sessions
        )
        with factory() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A light read-only unit for hot look-ups: a pooled Core connection, no ORM session.

        On SQLite every statement runs in its own implicit read transaction (no BEGIN); on
        PostgreSQL the transaction the first statement begins is rolled back at the end. Never
        write through it (writes go through :meth:`session` with ``write=True``, audited).
        """
        with self.engine.connect() as connection:
            if self.is_sqlite:
                # Autocommit reads: skip the BEGIN/ROLLBACK round trip a look-up does not need.
                connection.execution_options(sqlite_begin=None)
            yield connection

    def check_connection(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            raise ConnectionFailed(describe_connection_error(self.engine.url, exc)) from exc

    def describe(self) -> str:
        url = self.engine.url
        if self.is_sqlite:
            return f"SQLite: {url.database}"
        return f"PostgreSQL: {url.username or ''}@{url.host or 'localhost'}/{url.database}"

    def dispose(self) -> None:
        self.engine.dispose()


def describe_connection_error(url: URL, exc: Exception) -> str:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    lowered = detail.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        reason = "nieprawidłowy użytkownik lub hasło"
    elif "does not exist" in lowered and "database" in lowered:
        reason = f"baza „{url.database}” nie istnieje"
    elif any(
        s in lowered for s in ("could not connect", "connection refused", "timeout", "resolve")
    ):
        reason = "serwer nie odpowiada (sprawdź adres, port i sieć)"
    elif "unable to open database file" in lowered:
        reason = "nie można otworzyć pliku bazy (sprawdź uprawnienia folderu)"
    else:
        reason = detail or type(exc).__name__
    where = url.database if url.get_backend_name() == "sqlite" else f"{url.host}:{url.port or 5432}"
    return f"Nie można połączyć się z bazą danych {where}: {reason}."
