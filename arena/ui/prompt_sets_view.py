"""The Prompt sets page's parts: adding a set (a file or a shipped example), the list of sets,
one set's items, and who answers it. Adding and choosing are admin actions (arena.access).

Generation and its live progress are in arena.ui.generation_view. Nothing here shows an answer:
a stored answer is voted on blind in the queue, and a text next to its model would unmask it.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from arena.db import PromptSetRefused
from arena.files.checks import VoteFileError
from arena.files.set_file import FORMATS, SetAdded, add_example_set, add_set_file, parse_labels
from arena.lineup import Contestant
from arena.prompt_sets import EXAMPLE_SETS, SetSummary
from arena.ui.arena_view import available_contestants
from arena.ui.common import NONE, PageContext, category_label, keep_choice, notice_after_rerun

CHOSEN_KEY = "sets.chosen"  # the set picker
PICK_NEXT_KEY = "sets.pick_next"  # a set just added: the picker opens it on the next run


def _contestants_key(name: str) -> str:
    return f"sets.contestants.{name}"


# --- adding a set -----------------------------------------------------------------------------


def _add_failure(t: Callable[..., str], exc: Exception, path: str, shown: str) -> str:
    """What the page says when a set cannot be added; nothing was written in any case."""
    reason = str(exc).replace(path, shown)  # the file as the person knows it
    if isinstance(exc, PromptSetRefused):  # in the page's language
        reason = t(exc.key, **exc.values)
    if isinstance(exc, (VoteFileError, PromptSetRefused)):  # the file's fault, or the set's
        return t("sets.add_failed", reason=reason)
    if isinstance(exc, sqlite3.OperationalError):  # locked by another write, most often
        return t("sets.add_busy", reason=reason)
    logging.getLogger(__name__).exception("adding the set file %s failed", shown)
    return t("sets.add_failed", reason=f"{type(exc).__name__}: {reason}")


def _added(ctx: PageContext, result: SetAdded) -> None:
    """Say what was added once the page has rerun, with the set open."""
    notice_after_rerun(ctx.t("sets.added", count=result.added, name=result.name,
                             already=ctx.t("sets.added.already", count=result.already)))
    st.session_state[PICK_NEXT_KEY] = result.name
    st.rerun()


def example_buttons(ctx: PageContext) -> None:
    """One click adds a shipped example set (adding it again adds nothing)."""
    for example, column in zip(EXAMPLE_SETS, st.columns(len(EXAMPLE_SETS))):
        if column.button(ctx.t(f"sets.example.{example}"), key=f"sets.example.{example}",
                         width="stretch"):
            try:
                result = add_example_set(ctx.store, example, ctx.settings)
            except Exception as exc:  # never a traceback on the page
                st.error(_add_failure(ctx.t, exc, "", example))
                return
            _added(ctx, result)


def add_set_form(ctx: PageContext, expanded: bool) -> None:
    """Upload a set file (CSV, JSON Lines or plain text) with its name, category and labels, or
    add an example set. Admins only: others are told why."""
    t = ctx.t
    with st.expander(t("sets.add"), expanded=expanded):
        if not ctx.admin:
            st.caption(ctx.admin_reason)
            return
        st.caption(t("sets.examples_help"))
        example_buttons(ctx)
        st.divider()
        st.caption(t("sets.file_help"))
        upload = st.file_uploader(t("sets.file"), key="sets.upload",
                                  type=[suffix.lstrip(".") for suffix in FORMATS])
        categories = {c.slug: c for c in ctx.store.categories()}
        name_column, category_column = st.columns(2)
        name = name_column.text_input(t("sets.name"), key="sets.name", max_chars=120)
        keep_choice("sets.category", list(categories))
        slug = category_column.selectbox(t("sets.category"), list(categories),
                                         key="sets.category",
                                         format_func=lambda s: category_label(categories[s], t))
        labels_text = st.text_input(t("sets.labels"), key="sets.labels",
                                    help=t("sets.labels_help"))
        if st.button(t("sets.add_button"), key="sets.add_button", type="primary"):
            _add_upload(ctx, upload, name.strip(), slug, labels_text)


def _add_upload(ctx: PageContext, upload, name: str, slug: str, labels_text: str) -> None:
    t = ctx.t
    if upload is None:
        st.warning(t("sets.no_file"))
        return
    if not name:
        st.warning(t("sets.no_name"))
        return
    try:
        labels = parse_labels(labels_text)
    except ValueError as exc:
        st.error(t("sets.bad_labels", reason=str(exc).replace("--labels ", "")))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            result = add_set_file(ctx.store, path, name, slug, labels, ctx.settings)
        except Exception as exc:  # never a traceback on the page
            st.error(_add_failure(t, exc, str(path), upload.name))
            return
    _added(ctx, result)


# --- the sets and one set's items ---------------------------------------------------------------


def sets_table(ctx: PageContext, sets: list[SetSummary]) -> None:
    t = ctx.t
    categories = {c.slug: c for c in ctx.store.categories()}
    st.dataframe(pd.DataFrame({
        t("sets.column.name"): [s.prompt_set.name for s in sets],
        t("sets.category"): [category_label(categories[s.prompt_set.category], t)
                             if s.prompt_set.category in categories else s.prompt_set.category
                             for s in sets],
        t("sets.labels"): [", ".join(s.prompt_set.labels) or NONE for s in sets],
        t("sets.column.items"): [s.items for s in sets],
        t("sets.column.answers"): [s.answers for s in sets],
        t("sets.column.failed"): [s.failed for s in sets],
    }), hide_index=True, width="stretch")


def set_picker(ctx: PageContext, sets: list[SetSummary]) -> str | None:
    """The set this page shows (the one just added, else the last one picked)."""
    names = [s.prompt_set.name for s in sets]
    if not names:
        return None
    if PICK_NEXT_KEY in st.session_state:
        st.session_state[CHOSEN_KEY] = st.session_state.pop(PICK_NEXT_KEY)
    keep_choice(CHOSEN_KEY, names)
    return st.selectbox(ctx.t("sets.open"), names, key=CHOSEN_KEY)


def items_table(ctx: PageContext, name: str) -> None:
    """A set's items in their order: position, the id its file gave, prompt and expected."""
    t = ctx.t
    items = ctx.store.set_items(name)
    with st.expander(t("sets.items", count=len(items))):
        st.dataframe(pd.DataFrame({
            t("sets.column.position"): [s.position for s in items],
            t("sets.column.id"): [s.item.id or NONE for s in items],
            t("sets.column.prompt"): [s.item.prompt for s in items],
            t("sets.column.expected"): [s.item.expected or NONE for s in items],
        }), hide_index=True, width="stretch")


# --- who answers the set ----------------------------------------------------------------------


def _save_contestants(ctx: PageContext, name: str, everyone: list[str]) -> None:
    """Widget callback: store the choice; everyone (or no one) is stored as "every model", so
    a model that joins the arena later answers the set too."""
    picked = st.session_state.get(_contestants_key(name)) or []
    ctx.store.choose_set_contestants(name, [] if set(picked) >= set(everyone) else picked)


def chosen_contestants(ctx: PageContext, name: str) -> list[Contestant] | None:
    """Who answers the set: the models taking part now (none, after saying why, when no host
    answers), narrowed to the ones an admin chose. Admins choose; others see the choice."""
    t = ctx.t
    available = available_contestants(ctx, "default", "sets.models_available")
    if available is None:
        return None
    everyone = [c.name for c in available]
    stored = [n for n in ctx.store.set_contestants(name) if n in everyone]
    picked = stored or everyone
    if ctx.admin:
        key = _contestants_key(name)
        if key in st.session_state:
            picked = [n for n in st.session_state[key] if n in everyone] or everyone
            st.session_state[key] = picked
        picked = st.multiselect(t("sets.contestants"), everyone,
                                default=None if key in st.session_state else picked, key=key,
                                on_change=_save_contestants, args=(ctx, name, everyone),
                                help=t("sets.contestants_help")) or everyone
    else:
        st.caption(t("sets.contestants_list", names=", ".join(picked)))
    return [c for c in available if c.name in picked]
