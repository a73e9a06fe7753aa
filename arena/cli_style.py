"""`python -m arena leaderboard --style-control`: the board with answer style held equal
(arena.style_control), from the database or a vote file with answer texts, and what each style
difference was worth, in plain words under the table."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from functools import partial

import pandas as pd

from arena import ratings
from arena.cli_common import (
    CommandError,
    _plain,
    db_path,
    open_for_reading,
    print_table,
    say,
)
from arena.db import Store
from arena.files.read import read_import, read_votes_file
from arena.files.schema import is_own
from arena.i18n import translate
from arena.settings import load_settings
from arena.style_control import StyleBoard, StyleVotes, coefficient_lines, style_leaderboard
from arena.style_features import STYLE_FEATURES, answer_style

_ROUNDING = {"rating": 2, "ci_low": 2, "ci_high": 2, "win_rate": 4}
_COEFFICIENT_ROUNDING = {"coefficient": 4, "coef_low": 4, "coef_high": 4, "points": 2,
                         "points_low": 2, "points_high": 2, "sd": 4}


def print_style_board(args: argparse.Namespace, shown: Callable[[pd.DataFrame], pd.DataFrame],
                      aliases_of: Callable[[Store], dict[str, str]]) -> None:
    """The style-controlled board of `--category` (default Overall) in `--format`; `shown` is
    how the plain board is shown as a table, `aliases_of` every name of the stored categories
    (both from arena.cli). JSON is an object: the board's rows, the coefficients, and the
    votes left out."""
    if args.source_file:
        votes, aliases = style_votes_from_file(args.source_file), {}
    else:
        with open_for_reading(db_path(args)) as store:
            votes, aliases = store.style_votes(), aliases_of(store)
    found = style_leaderboard(votes.board(_category(votes, aliases, args.category)))
    if args.format == "json":
        print(json.dumps({"ratings": _records(found.board, _ROUNDING),
                          "style": _records(found.coefficients, _COEFFICIENT_ROUNDING),
                          "left_out": found.left_out}, ensure_ascii=False, indent=2,
                         default=_plain))
        return
    print_table(found.board, args.format, _ROUNDING, shown, say("style.empty"),
                csv_float_format="%.2f")
    if args.format == "table":
        _print_notes(found)


def _print_notes(found: StyleBoard) -> None:
    t = partial(translate, load_settings().language)
    if not found.board.empty:
        print()
        for line in coefficient_lines(found.coefficients, t):
            print(line)
    if found.left_out:
        print(t("style.left_out", count=found.left_out))


def _records(frame: pd.DataFrame, rounding: dict[str, int]) -> list[dict]:
    rounded = frame.round(rounding)
    return rounded.astype(object).where(rounded.notna(), None).to_dict("records")


def _category(votes: StyleVotes, aliases: dict[str, str], category: str | None) -> str | None:
    """The category `--category` names (a slug or name of a stored category, any case, or a
    category of the votes); None for Overall."""
    if category is None or category == ratings.OVERALL:
        return None
    known = set(aliases.values()) | set(votes.groups["category"]) | set(votes.left_out.index)
    wanted = aliases.get(category.lower(), category)
    if wanted not in known:
        raise CommandError(f"--category {category!r}: no such category (known: "
                           f"{', '.join(sorted(map(str, known))) or 'none'})")
    return wanted


def style_votes_from_file(path: str) -> StyleVotes:
    """A vote file's counted votes with the style counts of their answers (the columns
    answer_a and answer_b: the arena's own export has them); votes with neither are left out,
    and a file without those columns has every vote left out."""
    limits = load_settings().imports
    votes = read_votes_file(path, limits=limits)
    if is_own(votes.columns):  # the arena's own export: its counted votes, nothing else
        frame = read_import(path, limits)
        votes = frame[frame["winner"].notna() & frame["counted"].eq(True)]
    votes = ratings.check_votes(votes).reset_index(drop=True)
    texts = {side: (votes[f"answer_{side}"].astype("string").fillna("")
                    if f"answer_{side}" in votes.columns
                    else pd.Series("", index=votes.index)) for side in "ab"}
    with_text = ((texts["a"] != "") | (texts["b"] != "")).to_numpy()
    rows = {"model_a": votes["model_a"].astype(str), "model_b": votes["model_b"].astype(str),
            "winner": votes["winner"],
            "category": votes["category"].astype(str) if "category" in votes.columns
            else ratings.OVERALL}
    frame = pd.DataFrame(rows)
    if "prompt_set" in votes.columns:  # votes on one item taken together, as from --db
        frame[ratings.CLUSTER] = ratings.item_clusters(votes).to_numpy()
    for side in "ab":
        counts = [answer_style(text) for text in texts[side]]
        for k, feature in enumerate(STYLE_FEATURES):
            frame[f"{feature}_{side}"] = [c[k] for c in counts]
    left_out = frame.loc[~with_text, "category"].value_counts()
    return StyleVotes.from_frame(frame[with_text], left_out)
