"""Split `<think>…</think>` out of streamed content, for Ollama servers older than 0.9.0.

Those servers ignore the `think` field and put the reasoning inside the answer, wrapped in tags that
may be split across chunks (`<thi` + `nk>`). Only a tag at the very start of the answer opens
thinking, so an answer that merely mentions `<think>` (in code, say) is left alone.
"""

from __future__ import annotations

OPEN = "<think>"
CLOSE = "</think>"

THINKING = "thinking"
CONTENT = "content"


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of `text` that is the start of `tag` (a tag cut by a chunk)."""
    for length in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-length:]):
            return length
    return 0


class ThinkTagSplitter:
    """Feed content chunks in order; get back (kind, text) pieces, kind THINKING or CONTENT."""

    def __init__(self) -> None:
        self._state = "start"  # start -> thinking -> after -> content, or start -> content
        self._buffer = ""

    def feed(self, text: str) -> list[tuple[str, str]]:
        self._buffer += text
        pieces: list[tuple[str, str]] = []
        while self._buffer:
            if self._state == "start":
                stripped = self._buffer.lstrip()
                if not stripped or (len(stripped) < len(OPEN) and OPEN.startswith(stripped)):
                    break  # still could become "<think>"
                if stripped.startswith(OPEN):
                    self._state = "thinking"
                    self._buffer = stripped[len(OPEN):]
                else:
                    self._state = "content"
            elif self._state == "thinking":
                end = self._buffer.find(CLOSE)
                if end >= 0:
                    pieces.append((THINKING, self._buffer[:end]))
                    self._buffer = self._buffer[end + len(CLOSE):]
                    self._state = "after"
                else:
                    keep = _partial_suffix(self._buffer, CLOSE)
                    pieces.append((THINKING, self._buffer[: len(self._buffer) - keep]))
                    self._buffer = self._buffer[len(self._buffer) - keep:]
                    break
            elif self._state == "after":
                # The answer after the reasoning usually starts with blank lines: drop them.
                self._buffer = self._buffer.lstrip()
                if self._buffer:
                    self._state = "content"
            else:
                pieces.append((CONTENT, self._buffer))
                self._buffer = ""
        return [(kind, piece) for kind, piece in pieces if piece]

    def flush(self) -> list[tuple[str, str]]:
        """Whatever is held back, at the end of the stream."""
        rest, self._buffer = self._buffer, ""
        if not rest or self._state == "after":
            return []
        return [(THINKING if self._state == "thinking" else CONTENT, rest)]
