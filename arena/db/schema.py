"""Bringing a database's schema up to date (arena.db.migrations), and telling an arena database
of this version from anything else."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from arena.db import migrations

ARENA_TABLES = {"battles", "battle_sides", "votes", "categories"}
_FOREIGN = "{path}: not an arena database (it has tables of another program); nothing changed"


class NewerSchema(sqlite3.DatabaseError):
    """The database was written by a newer version of the arena than this one."""


class NotArenaDatabase(sqlite3.DatabaseError):
    """The file is not an arena database (another program's SQLite file, or not SQLite)."""


class OlderSchema(sqlite3.DatabaseError):
    """Opened read-only, a database whose schema needs migrating first."""


def foreign(conn: sqlite3.Connection) -> bool:
    """Whether the database belongs to another program: tables, but no arena schema version."""
    return conn.execute("PRAGMA user_version").fetchone()[0] == 0 and conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone() is not None


def refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    if foreign(conn):
        raise NotArenaDatabase(_FOREIGN.format(path=path))


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to date, inside the caller's write transaction (so several processes
    starting at once migrate it once). A database of another program is refused, not changed."""
    known = len(migrations.MIGRATIONS)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > known:
        raise NewerSchema(
            f"schema version {version} is newer than this arena knows "
            f"({known}): update the app"
        )
    refuse_foreign(conn, path)
    for number, migration in enumerate(migrations.MIGRATIONS[version:], start=version + 1):
        _apply(conn, migration)
        conn.execute(f"PRAGMA user_version = {number}")


def _apply(conn: sqlite3.Connection, migration: str | Callable[[sqlite3.Connection], None]) -> None:
    if callable(migration):
        migration(conn)
        return
    # executescript would COMMIT the open transaction; run statement by statement instead.
    statement = ""
    for line in migration.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def check_up_to_date(path: Path,
                     reading: Callable[[], AbstractContextManager[sqlite3.Connection]]) -> None:
    """For a read-only open: refuse what is not an arena database of this version."""
    if not path.is_file():
        raise NotArenaDatabase(f"{path}: no such database")
    try:
        with reading() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if type(exc) is sqlite3.DatabaseError:  # "file is not a database" and the like
            raise NotArenaDatabase(f"{path}: not an arena database ({exc})") from None
        raise sqlite3.OperationalError(f"{path}: cannot read it ({exc})") from None
    known = len(migrations.MIGRATIONS)
    if version == 0 or not tables >= ARENA_TABLES:
        raise NotArenaDatabase(f"{path}: not an arena database (no arena tables)")
    if version > known:
        raise NewerSchema(f"{path}: schema version {version} is newer than this arena "
                          f"knows ({known}): update the app")
    if version < known:
        raise OlderSchema(f"{path}: schema version {version}, this arena's is "
                          f"{known}: run `python -m arena migrate --db "
                          f"{path}` (or open it with the app) first")
