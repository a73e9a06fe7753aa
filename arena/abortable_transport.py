"""An httpx transport whose connections another thread can cut.

Why it exists: a battle side streams in a worker thread that spends most of its time blocked
reading from Ollama — waiting minutes for a model to load, or for the next token. When the voter
stops the battle, or a side stalls past the stall timeout, that thread must be woken and the
request cancelled on the server. Closing the httpx client does not wake a thread blocked in a
read, and the client's read timeout is meant for model loads (much longer than the stall timeout).
Shutting the socket down does wake it, and Ollama sees a cancelled request, so it stops loading or
generating for that side. (tests/test_battle.py checks that a stop cuts off a side still waiting
for its model to load.)
"""

from __future__ import annotations

import socket
import threading

import httpcore
import httpx


class _TrackingBackend(httpcore.SyncBackend):
    """httpcore's network backend, remembering its sockets so they can be shut down."""

    def __init__(self) -> None:
        super().__init__()
        self._streams: list[httpcore.NetworkStream] = []
        self._lock = threading.Lock()
        self._shut = False

    def connect_tcp(self, *args, **kwargs) -> httpcore.NetworkStream:
        stream = super().connect_tcp(*args, **kwargs)
        with self._lock:
            self._streams.append(stream)
            shut = self._shut
        if shut:  # aborted while connecting: this connection is cut too
            self._shutdown(stream)
        return stream

    @staticmethod
    def _shutdown(stream: httpcore.NetworkStream) -> None:
        sock = stream.get_extra_info("socket")
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass  # already closed

    def shutdown_all(self) -> None:
        """Cut every connection, and any opened from now on."""
        with self._lock:
            self._shut = True
            streams = list(self._streams)
        for stream in streams:
            self._shutdown(stream)


class AbortableTransport(httpx.HTTPTransport):
    """An httpx transport with `abort()`: cut its connections from any thread (see above)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._backend = _TrackingBackend()
        # httpx has no public hook for the network backend; its pool builds each connection
        # with this one (if an httpx upgrade breaks this, the test named above fails).
        self._pool._network_backend = self._backend

    def abort(self) -> None:
        self._backend.shutdown_all()
