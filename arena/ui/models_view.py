"""The Models page's parts: hosts and their health, the models and who takes part, the arena's
options, and pulling a model with a progress bar. Changes are admin actions (arena.access)."""

from __future__ import annotations

import re
import sqlite3

import pandas as pd
import streamlit as st

from arena.access import may_see_loaded_models
from arena.categories import Category, new_slug
from arena.lineup import HostReport, ModelEntry, catalogue, eligible_contestants
from arena.ollama_api import LoadedModel
from arena.pulls import Pull, PullRefused
from arena.records import PAIRINGS, SCHEDULES, ArenaOptions, ModelChoice
from arena.settings import SettingsError, normalise_host
from arena.ui.cloud_view import marked, models_note, off_key
from arena.ui.common import PageContext, category_label, keep_choice, notice_after_rerun
from arena.ui.lineup_state import battle_queue, forget_reports, pulls
from arena.ui.model_choices_view import choices_section
from arena.ui.think_levels_view import takes_part_text

SEEN_PULLS_KEY = "models.seen_pulls"  # finished pulls this session has already refreshed for
PULL_REFRESH_S = 0.5
NAME_CHAR_PX, NAME_COLUMN_MAX_PX = 7, 280  # the models table's name column, at the grid's font


def size_text(size: int) -> str:
    """Bytes as people read them (GB with one decimal, MB below that)."""
    if size >= 1e9:
        return f"{size / 1e9:.1f} GB"
    return f"{size / 1e6:.0f} MB"


def admin_note(ctx: PageContext) -> None:
    """Say why this session may not change anything here, when it may not."""
    if not ctx.admin:
        st.info(ctx.admin_reason, icon="🔒")


# --- hosts ----------------------------------------------------------------------------------


def loaded_visible(ctx: PageContext) -> bool:
    """Whether this session is told what Ollama has in memory (arena.access): not while a
    battle runs anywhere, nor while a stored battle's names are still hidden (Store)."""
    if not ctx.admin:
        return False
    pending = battle_queue(ctx.settings.max_battles).running() > 0 or ctx.store.names_hidden()
    return may_see_loaded_models(ctx.admin, pending)


def loaded_text(model: LoadedModel) -> str:
    """`qwen3:8b · 6.1 GB`, with the share on the CPU when it does not all fit in the GPU."""
    text = f"{model.name} · {size_text(model.size)}"
    if model.size and model.size_vram < model.size:
        text += f" ({1 - model.size_vram / model.size:.0%} CPU)"
    return text


def hosts_section(ctx: PageContext, reports: list[HostReport]) -> None:
    t = ctx.t
    st.subheader(t("hosts.title"))
    # Left out of what is sent, not only hidden: during a battle the loaded models are its two
    # contestants.
    show_loaded = loaded_visible(ctx)
    rows = []
    for r in reports:
        row = {
            t("hosts.host"): r.url,
            t("hosts.source"): t("hosts.source.added" if r.host.added else
                                 "hosts.source.settings"),
            t("hosts.status"): "✅ " + t("hosts.ok") if r.reachable else "❌ " + t("hosts.down"),
            t("hosts.version"): r.version or "—",
            t("hosts.models"): len(r.models),
        }
        if show_loaded:
            row[t("hosts.loaded")] = [loaded_text(m) for _, m in sorted(r.loaded.items())]
        rows.append(row)
    config = {t("hosts.loaded"): st.column_config.ListColumn(help=t("hosts.loaded_help"))} \
        if show_loaded else None
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=config)
    if ctx.admin and not show_loaded:
        st.caption(t("hosts.loaded_hidden"))
    for report in reports:
        if not report.reachable:
            st.error(t("hosts.unreachable", host=report.url, reason=report.error), icon="🔌")
        for key in report.warnings:
            st.warning(t(key, host=report.url, version=report.version), icon="⚠️")
    with st.expander(t("hosts.manage")):
        add_host_form(ctx)
        remove_host_form(ctx, [r.url for r in reports if r.host.added])


def add_host_form(ctx: PageContext) -> None:
    t = ctx.t
    typed = st.text_input(t("hosts.add_label"), key="models.new_host",
                          placeholder="http://gpu-box:11434", disabled=not ctx.admin)
    if st.button(t("hosts.add"), key="models.add_host", disabled=not ctx.admin) and ctx.admin:
        try:
            url = normalise_host(typed, t("hosts.add_label"))
        except SettingsError as exc:
            st.error(str(exc))
            return
        if url in ctx.settings.ollama_hosts or not ctx.store.add_host(url):
            st.info(t("hosts.already", host=url))
            return
        forget_reports()
        notice_after_rerun(t("hosts.added", host=url))
        st.rerun()


def remove_host_form(ctx: PageContext, added: list[str]) -> None:
    t = ctx.t
    if not added:
        st.caption(t("hosts.none_added"))
        return
    url = st.selectbox(t("hosts.remove_label"), added, key="models.remove_choice",
                       disabled=not ctx.admin)
    if st.button(t("hosts.remove"), key="models.remove_host",
                 disabled=not ctx.admin) and ctx.admin:
        ctx.store.remove_host(url)
        forget_reports()
        notice_after_rerun(t("hosts.removed", host=url))
        st.rerun()


# --- models ---------------------------------------------------------------------------------


def _thinking_text(ctx: PageContext, entry: ModelEntry) -> str:
    supports = entry.info.supports_thinking
    return ctx.t("models.thinking.unknown" if supports is None else
                 "models.thinking.yes" if supports else "models.thinking.no")


def host_label(url: str) -> str:
    """A host as people name it: no `http://`, no default port (`gpu-box`, not
    `http://gpu-box:11434`)."""
    label = url.removeprefix("http://")
    return label if "/" in label else label.removesuffix(":11434")


def _takes_part_text(ctx: PageContext, entry: ModelEntry, choices: dict[str, ModelChoice],
                     options: ArenaOptions) -> str:
    if not entry.info.can_chat:
        return ctx.t("models.takes_part.cannot_chat")
    # As a battle with the model's own thinking would draw it.
    drawn = eligible_contestants([entry], choices, options, "default")
    if drawn and entry.info.thinks_by_level:
        return takes_part_text(ctx, drawn)
    return ctx.t(off_key(entry) if not drawn else
                 "models.takes_part.yes" if len(drawn) == 1 else "models.takes_part.twice")


def models_table(ctx: PageContext, entries: list[ModelEntry], reports: list[HostReport],
                 choices: dict[str, ModelChoice], options: ArenaOptions) -> None:
    """One row per model, narrow enough for a laptop: whether it takes part comes right after
    the name; hosts are named only when there are several, briefly, and "all" when every one
    serves it."""
    t = ctx.t
    serving = [r.url for r in reports if r.reachable and r.models]
    rows = []
    for entry in entries:
        info = entry.info
        row = {
            t("models.name"): marked(entry.name, info.cloud, t),
            t("models.takes_part"): _takes_part_text(ctx, entry, choices, options),
            t("models.thinking"): _thinking_text(ctx, entry),
            t("models.size"): size_text(info.size),
            t("models.parameters"): info.parameter_size,
            t("models.quantization"): info.quantization,
            t("models.family"): info.family,
        }
        if len(serving) > 1:
            row[t("models.hosts")] = t("models.hosts.all") if set(serving) <= set(
                entry.hosts) else ", ".join(host_label(h) for h in entry.hosts)
        row[t("models.digest")] = info.digest[:12]
        rows.append(row)
    longest = max(len(marked(e.name, e.info.cloud, t)) for e in entries)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        # Wide enough for the longest name (the grid's own guess cuts long ones short).
        t("models.name"): st.column_config.TextColumn(
            width=min(NAME_COLUMN_MAX_PX, 16 + NAME_CHAR_PX * longest)),
        t("models.takes_part"): st.column_config.TextColumn(help=t("models.takes_part_help")),
        t("models.size"): st.column_config.TextColumn(help=t("models.size_help")),
        t("models.parameters"): st.column_config.TextColumn(help=t("models.parameters_help")),
        t("models.quantization"): st.column_config.TextColumn(
            help=t("models.quantization_help")),
    })
    for entry in entries:
        if entry.other_builds:
            st.caption(t("models.other_builds", model=entry.name,
                         hosts=", ".join(entry.other_builds)))


# --- options --------------------------------------------------------------------------------


def _save_options(ctx: PageContext) -> None:
    if not ctx.admin:
        return
    ctx.store.set_arena_options(ArenaOptions(
        include_new_models=st.session_state["models.include_new"],
        schedule=st.session_state["models.schedule"],
        show_thinking_before_vote=st.session_state["models.show_thinking"],
        pairing=st.session_state["models.pairing"]))


def options_section(ctx: PageContext) -> None:
    t = ctx.t
    st.subheader(t("options.title"))
    options = ctx.store.arena_options()
    st.session_state["models.include_new"] = options.include_new_models
    st.session_state["models.schedule"] = options.schedule
    st.session_state["models.show_thinking"] = options.show_thinking_before_vote
    st.session_state["models.pairing"] = options.pairing
    st.toggle(t("options.include_new"), key="models.include_new", disabled=not ctx.admin,
              on_change=_save_options, args=(ctx,), help=t("options.include_new_help"))
    st.radio(t("options.schedule"), SCHEDULES, key="models.schedule", horizontal=True,
             format_func=lambda s: t(f"options.schedule.{s}"), disabled=not ctx.admin,
             on_change=_save_options, args=(ctx,), help=t("options.schedule_help"))
    st.radio(t("options.pairing"), PAIRINGS, key="models.pairing", horizontal=True,
             format_func=lambda s: t(f"options.pairing.{s}"), disabled=not ctx.admin,
             on_change=_save_options, args=(ctx,), help=t("options.pairing_help"))
    st.toggle(t("options.show_thinking"), key="models.show_thinking", disabled=not ctx.admin,
              on_change=_save_options, args=(ctx,), help=t("options.show_thinking_help"))
    st.caption(t("options.show_thinking_note"))


# --- task categories ------------------------------------------------------------------------

NEW_CATEGORY = ""
PICK_KEY, NEXT_PICK_KEY = "categories.pick", "categories.next_pick"
PRESET_SEPARATOR = "\n---\n"  # between presets in the editor: a preset may span lines


def split_presets(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"^\s*---\s*$", text, flags=re.M) if p.strip()]


def categories_section(ctx: PageContext) -> None:
    """Add a task category, or change one: its name, description, system prompt (sent to both
    sides of its battles) and preset prompts; delete one that no battle belongs to."""
    t = ctx.t
    st.subheader(t("categories.title"))
    st.caption(t("categories.intro"))
    categories = {c.slug: c for c in ctx.store.categories()}
    if NEXT_PICK_KEY in st.session_state:  # set after a save or delete, for this run's picker
        st.session_state[PICK_KEY] = st.session_state.pop(NEXT_PICK_KEY)
    keep_choice(PICK_KEY, [NEW_CATEGORY] + list(categories))  # translated labels: keep_choice
    slug = st.selectbox(t("categories.pick"), [NEW_CATEGORY] + list(categories),
                        key=PICK_KEY, format_func=lambda s: category_label(
                            categories[s], t) if s else t("categories.new"))
    current = categories.get(slug) or Category(slug="", name="", description="")
    with st.form(f"categories.form.{slug or 'new'}", border=False):
        name = st.text_input(t("categories.name"), value=current.name, max_chars=60,
                             disabled=not ctx.admin)
        description = st.text_input(t("categories.description"), value=current.description,
                                    max_chars=300, disabled=not ctx.admin)
        system_prompt = st.text_area(t("categories.system_prompt"),
                                     value=current.system_prompt, disabled=not ctx.admin,
                                     help=t("categories.system_prompt_help"))
        presets = st.text_area(t("categories.presets"), disabled=not ctx.admin, height=160,
                               value=PRESET_SEPARATOR.join(current.presets),
                               help=t("categories.presets_help"))
        saved = st.form_submit_button(t("categories.save"), disabled=not ctx.admin)
    if saved and ctx.admin:
        if not name.strip():
            st.error(t("categories.name_needed"))
            return
        category = Category(slug=slug or new_slug(name, set(categories)), name=name.strip(),
                            description=description.strip(),
                            system_prompt=system_prompt.strip(),
                            presets=split_presets(presets))
        try:
            ctx.store.save_category(category)
        except sqlite3.IntegrityError:
            st.error(t("categories.name_taken", name=category.name))
            return
        notice_after_rerun(t("categories.saved", name=category.name))
        st.session_state[NEXT_PICK_KEY] = category.slug
        st.rerun()
    if slug and st.button(t("categories.delete"), key="categories.delete",
                          disabled=not ctx.admin) and ctx.admin:
        if ctx.store.delete_category(slug):
            notice_after_rerun(t("categories.deleted", name=current.name))
            st.session_state[NEXT_PICK_KEY] = NEW_CATEGORY
            st.rerun()
        st.warning(t("categories.in_use", name=category_label(current, t)))


# --- pulls ----------------------------------------------------------------------------------


def pull_form(ctx: PageContext, reports: list[HostReport]) -> None:
    t = ctx.t
    st.subheader(t("pull.title"))
    reachable = [r.url for r in reports if r.reachable]
    if not reachable:
        st.caption(t("pull.no_host"))
        return
    left, middle, right = st.columns([3, 3, 1], vertical_alignment="bottom")
    model = left.text_input(t("pull.model"), key="models.pull_name", placeholder="qwen3:8b",
                            disabled=not ctx.admin)
    host = middle.selectbox(t("pull.host"), reachable, key="models.pull_host",
                            disabled=not ctx.admin)
    registry = pulls(ctx.settings.ollama_connect_timeout)
    if right.button(t("pull.start"), key="models.pull", disabled=not ctx.admin,
                    type="primary") and ctx.admin:
        try:
            registry.start(host, model)
        except PullRefused:
            st.warning(t("pull.refused", model=model.strip(), host=host))
        except ValueError:
            st.warning(t("pull.name_needed"))
    running = any(p.running for p in registry.all())
    # Redrawn on its own while a pull runs, so the rest of the page stays usable.
    st.fragment(pull_progress, run_every=PULL_REFRESH_S if running else None)(ctx)


def _show_pull(ctx: PageContext, pull: Pull) -> None:
    t = ctx.t
    label = t("pull.label", model=pull.model, host=pull.host)
    if pull.running:
        amount = (f" · {size_text(pull.completed)} / {size_text(pull.total)}"
                  if pull.total else "")
        st.progress(pull.fraction,
                    text=f"{label}: {pull.step} · {pull.fraction:.0%}{amount}")
    elif pull.succeeded:
        st.success(t("pull.done", model=pull.model, host=pull.host), icon="✅")
    else:
        st.error(t(f"pull.failure.{pull.error_kind}", model=pull.model, host=pull.host),
                 icon="⚠️")
        st.caption(t("pull.detail", detail=pull.error))


def pull_progress(ctx: PageContext) -> None:
    registry = pulls(ctx.settings.ollama_connect_timeout)
    shown = registry.all()
    for pull in shown:
        _show_pull(ctx, pull)
    seen = st.session_state.setdefault(SEEN_PULLS_KEY, set())
    fresh = {(p.host, p.model, p.started_at) for p in shown if p.finished} - seen
    if fresh:
        # A pulled model belongs in the tables above: ask the hosts again, redraw the page.
        seen |= fresh
        forget_reports()
        st.rerun(scope="app")
    if shown and not any(p.running for p in shown) and st.button(
            ctx.t("pull.clear"), key="models.clear_pulls", disabled=not ctx.admin):
        registry.forget_finished()
        st.rerun(scope="app")


def models_section(ctx: PageContext, reports: list[HostReport]) -> None:
    t = ctx.t
    st.subheader(t("models.title_list"))
    entries = catalogue(reports)
    if not entries:
        st.info(t("models.none"))
        st.code("ollama pull qwen3:8b", language="bash")
        return
    choices, options = ctx.store.model_choices(), ctx.store.arena_options()
    models_table(ctx, entries, reports, choices, options)
    models_note(ctx, entries)
    choices_section(ctx, entries, choices, options)
