"""The pause / resume / stop buttons of a background run (arena.background_run), shared by the
Prompt sets page's generation and the Judge page."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import streamlit as st

from arena.background_run import PAUSED


def pause_resume_stop(t: Callable[..., str], run, state: str, columns: Iterator,
                      prefix: str) -> None:
    """Resume (while paused) or pause, then stop, in the next of `columns`; labels and keys
    under `prefix` ("generate", "judge": the catalog's `<prefix>.pause` and so on). Each click
    reruns the whole page."""
    if state == PAUSED:
        if next(columns).button(t(f"{prefix}.resume"), key=f"{prefix}.resume", type="primary",
                                width="stretch"):
            run.resume()
            st.rerun()
    elif next(columns).button(t(f"{prefix}.pause"), key=f"{prefix}.pause", width="stretch"):
        run.pause()
        st.rerun()
    if next(columns).button(t(f"{prefix}.stop"), key=f"{prefix}.stop", width="stretch"):
        run.stop()
        st.rerun()
