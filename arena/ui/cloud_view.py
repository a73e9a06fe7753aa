"""The cloud mark: a model that runs on someone else's servers is marked "cloud" where it is
named — on the Models page, and after a vote in the reveal and on the Leaderboard. Never before
the vote: only one side would carry it (arena.model_capabilities says what is cloud)."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from arena.lineup import ModelEntry
from arena.model_capabilities import is_cloud_contestant
from arena.ui.common import PageContext

CLOUD_ICON = "☁️"


def cloud_text(t) -> str:
    """`☁️ cloud`, in the page's language."""
    return f"{CLOUD_ICON} {t('cloud.mark')}"


def marked(name: str, cloud: bool, t) -> str:
    """A name as shown where names may be: `gpt-oss:120b-cloud · ☁️ cloud` for a cloud model."""
    return f"{name} · {cloud_text(t)}" if cloud else name


def off_key(entry: ModelEntry) -> str:
    """The Models page's word for a model that does not take part: a cloud one says why."""
    return "cloud.takes_part_no" if entry.info.cloud else "models.takes_part.no"


def include_help(cloud: bool, t) -> str | None:
    """The include box's help for a cloud model: what including it means."""
    return t("cloud.include_help") if cloud else None


def cloud_names(ctx: PageContext, names: Iterable[str]) -> set[str]:
    """Those of the stored contestant names that are cloud models': by name, or remembered as
    cloud when an admin included them (Store.cloud_models)."""
    known = ctx.store.cloud_models()
    return {n for n in names if is_cloud_contestant(n, known)}


def models_note(ctx: PageContext, entries: list[ModelEntry]) -> None:
    """Under the Models page's list, when it has a cloud model: why those are off."""
    if any(e.info.cloud for e in entries):
        st.caption(ctx.t("cloud.note"))


def cloud_note(ctx: PageContext, cloud: set[str]) -> None:
    """Under a board that names cloud models (`cloud_names`): what the mark means."""
    if cloud:
        st.caption(ctx.t("cloud.ran_elsewhere"))
