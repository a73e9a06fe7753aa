"""An arena database file: its connections, its one writer at a time, transactions, checkpoints,
read-only mode and closing. The Store's parts (arena.db.store) read and write through it.

One short-lived connection per read keeps this safe to use from Streamlit's many script threads
and from worker threads alike; WAL mode lets readers run while a vote is written.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

try:
    import fcntl
except ImportError:  # Windows: writers of one process still queue on the thread lock
    fcntl = None

from arena.db import schema
from arena.db.rules import UNVOTED_HIDDEN_FOR
from arena.records import iso_utc

CHECKPOINT_BYTES = 4 << 20
_Self = TypeVar("_Self", bound="Database")


# Ids per statement of an `IN (...)` list: under the 999 host parameters older SQLite builds allow.
IN_CHUNK = 900


def in_chunks(conn: sqlite3.Connection, sql: str, values: list,
              chunk: int = IN_CHUNK) -> Iterator[sqlite3.Cursor]:
    """Run `sql`, whose `{marks}` stands for an IN list, over `values` a chunk at a time: the
    cursor of each chunk."""
    for start in range(0, len(values), chunk):
        part = values[start:start + chunk]
        yield conn.execute(sql.format(marks=", ".join("?" * len(part))), part)


class _FairLock:
    """A lock granted in the order it was asked for: threading.Lock lets a thread that just
    released it take it again at once, and under 32 writers some waited a hundred times longer
    than others."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder, who hands the lock over

    def __exit__(self, *exc) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False


class _WriteLock:
    """The one writer of a database file at a time: a thread lock for this process, then an
    advisory lock on a file beside the database for other processes. Waiting writers queue in
    the kernel and wake the moment the lock is free, where SQLite's own busy handler would poll
    with sleeps of up to 100 ms (the long tail of vote writes under load)."""

    def __init__(self, path: Path):
        self._thread_lock = _FairLock()
        self._lock_path = None if fcntl is None or str(path) == ":memory:" else \
            Path(f"{path}-writer.lock")
        self._fd: int | None = None

    @contextmanager
    def held(self, across_processes: bool = True) -> Iterator[None]:
        with self._thread_lock:
            if self._lock_path is None or not across_processes:
                yield
                return
            if self._fd is None:
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_write_locks: dict[str, _WriteLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(path: Path) -> _WriteLock:
    """One lock per database file per process, shared by every Store on that file."""
    key = str(path) if str(path) == ":memory:" else str(path.resolve())
    with _write_locks_guard:
        return _write_locks.setdefault(key, _WriteLock(path))


class Database:
    """One arena database file and how it is read and written: the base of the Store's parts
    (arena.db.store, which says how to open one). Opening migrates the schema unless
    `read_only`; `unvoted_hidden_for` is the time limit of ENDED and REVEALED (arena.db.rules)."""

    def __init__(self, path: str | Path, read_only: bool = False,
                 unvoted_hidden_for: timedelta = UNVOTED_HIDDEN_FOR,
                 busy_timeout_s: float = 30.0):
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s  # how long a statement waits for another writer
        self.read_only = read_only
        self.unvoted_hidden_for = unvoted_hidden_for
        self._writer: sqlite3.Connection | None = None  # opened on the first write, kept
        self._lock = _write_lock(self.path)
        self._checkpoint_guard = threading.Lock()
        self._checkpoint_thread: threading.Thread | None = None
        if read_only:
            schema.check_up_to_date(self.path, self.reading)
            return
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.reading() as conn:
                schema.refuse_foreign(conn, self.path)  # before WAL mode, which changes its header
                conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            if type(exc) is sqlite3.DatabaseError:  # not a subclass: locked, read-only, ...
                raise schema.NotArenaDatabase(
                    f"{self.path}: not an arena database ({exc})") from None
            raise
        with self.transaction() as conn:
            schema.migrate(conn, self.path)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so a transaction is exactly what we say.
        if self.read_only:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout_s,
                                   isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout_s * 1000)}")
        return conn

    def _writer_connection(self) -> sqlite3.Connection:
        """The one connection this Store writes with (under the write lock): its statements stay
        prepared between votes. synchronous=NORMAL under WAL: a commit is a write to the WAL
        without an fsync, so a vote survives the arena being killed (kill -9) though not a power
        cut in the last moments before the next checkpoint."""
        if self._writer is None:
            conn = self._connect()
            conn.execute("PRAGMA synchronous = NORMAL")
            # Checkpoints (which fsync) run beside the writers, not in a vote: _checkpoint_if_due.
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._writer = conn
            weakref.finalize(self, conn.close)
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is written, or none of it (and the error raised is
        the one that stopped it, not a failed ROLLBACK's)."""
        if self.read_only:
            raise sqlite3.OperationalError(f"{self.path} is open read-only")
        with self._lock.held():
            conn = self._writer_connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite may have rolled back already (a full disk, say)
                raise
        self._checkpoint_if_due()

    def _checkpoint_if_due(self) -> None:
        """Copy the write-ahead log into the database in a thread of its own once it has grown
        past SQLite's usual point (about 4 MB), so that no vote waits for a checkpoint's fsync. A
        PASSIVE checkpoint never blocks writers; the log is reused once it is all copied."""
        try:
            grown = os.path.getsize(f"{self.path}-wal") > CHECKPOINT_BYTES
        except OSError:
            return
        if not grown:
            return

        def checkpoint() -> None:
            try:
                with self.reading() as conn:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # the next one will try again

        with self._checkpoint_guard:
            running = self._checkpoint_thread
            if running is not None and running.is_alive():
                return
            self._checkpoint_thread = threading.Thread(target=checkpoint,
                                                       name="arena-checkpoint", daemon=True)
            self._checkpoint_thread.start()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def close(self) -> None:
        """Close the writing connection (reads open and close their own) and wait for a
        checkpoint under way: after this nothing of this Store touches the file (a connection
        closing late would checkpoint, and remove, whatever log then has the file's name)."""
        with self._lock.held(across_processes=False):
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        if self._checkpoint_thread is not None:
            self._checkpoint_thread.join()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _hidden_after(self) -> str:
        """Battles created before this (ISO UTC) count as abandoned if still unvoted."""
        return iso_utc(datetime.now(timezone.utc) - self.unvoted_hidden_for)

    def schema_version(self) -> int:
        """The file's schema version (a position in arena.db.migrations.MIGRATIONS): public, for
        `python -m arena migrate` to report."""
        with self.reading() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

