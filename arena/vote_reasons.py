"""Why a person voted as they did: a few reasons picked after the vote (never before, never
required) and a short comment, stored with the vote (Store.set_vote_reasons), carried by the
files, and counted per model for the Leaderboard (`reason_counts`).

Reasons are stable codes, each kind of vote its own list; the catalog names them
(`reason.<code>`), so a code is never shown as it is. A tie has its own short list (both good,
both fine, hard to tell): it says whether a tie was a draw between good answers or a shrug.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd

from arena.both_bad import BOTH_BAD
from arena.records import WINNERS

WINNER_REASONS = ("more_accurate", "followed_instructions", "better_written", "more_complete",
                  "better_format", "faster")
TIE_REASONS = ("both_good", "both_fine", "hard_to_tell")
BOTH_BAD_REASONS = ("wrong", "ignored_instructions", "refused", "too_long", "too_short",
                    "wrong_language", "made_up")
REASONS_BY_WINNER = {"model_a": WINNER_REASONS, "model_b": WINNER_REASONS, "tie": TIE_REASONS,
                     BOTH_BAD: BOTH_BAD_REASONS}
ALL_REASONS = WINNER_REASONS + TIE_REASONS + BOTH_BAD_REASONS
COMMENT_MAX_CHARS = 300  # a remark, not an essay: a longer one is refused, not cut

# What reason_counts returns, and its kinds: the reasons a model won by, those its opponent was
# given when it lost, those of its battles voted both bad, and of its ties.
WINS, LOSSES, BOTH_BAD_KIND, TIES = "wins", "losses", "both_bad", "ties"
REASON_COUNT_COLUMNS = ["model", "kind", "reason", "count"]
KINDS = (WINS, LOSSES, BOTH_BAD_KIND, TIES)


class ReasonsRejected(ValueError):
    """Reasons the store or an import refuses; `reason` is one of the keys below, for the UI to
    translate (`reasons.refused.<reason>`); the message says it in English, codes included."""

    UNKNOWN_CODES = "unknown_codes"  # not reasons of this kind of vote
    COMMENT_TOO_LONG = "comment_too_long"
    NO_VOTE = "no_vote"  # the battle has no vote to give reasons for
    NOT_YOURS = "not_yours"  # the vote was cast by someone else

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def reasons_for(winner: str) -> tuple[str, ...]:
    """The reasons a vote for `winner` may be given (one of arena.records.WINNERS)."""
    if winner not in WINNERS:
        raise ValueError(f"unknown winner {winner!r}")
    return REASONS_BY_WINNER[winner]


def check_reasons(winner: str, reasons: Iterable[str],
                  comment: str | None = None) -> tuple[tuple[str, ...], str | None]:
    """The reasons (each once, in their list's order) and the comment (trimmed; None when
    empty) as stored; raises ReasonsRejected for a code that is not a reason of this kind of
    vote, or a comment over COMMENT_MAX_CHARS."""
    allowed = reasons_for(winner)
    given = list(reasons)
    unknown = [r for r in given if r not in allowed]
    if unknown:
        raise ReasonsRejected(
            ReasonsRejected.UNKNOWN_CODES,
            f"reasons {', '.join(map(repr, unknown))} are not reasons for a {winner!r} vote"
            f" (expected some of {', '.join(allowed)})")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX_CHARS:
        raise ReasonsRejected(ReasonsRejected.COMMENT_TOO_LONG,
                              f"the comment is {len(comment):,} characters long, over the limit"
                              f" of {COMMENT_MAX_CHARS}")
    return tuple(r for r in allowed if r in given), comment


def reasons_text(reasons: Iterable[str]) -> str | None:
    """Reasons as the text the database and flat files keep: a JSON list; None for none."""
    reasons = list(reasons)
    return json.dumps(reasons) if reasons else None


def parse_reasons(text: str | None) -> tuple[str, ...]:
    """The stored text back as codes (none for NULL or an empty text)."""
    if text is None or not text.strip():
        return ()
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("reasons is not a list of texts")
    return tuple(value)


def reason_counts(votes: pd.DataFrame) -> pd.DataFrame:
    """Per model, how often each reason was given: `votes` has model_a, model_b, winner and
    reasons (a sequence of codes) per vote. A win counts its reasons for the winner (kind
    "wins") and for the loser ("losses": what the winner was given over it); a both-bad vote
    and a tie count theirs for both models ("both_bad", "ties"). Columns REASON_COUNT_COLUMNS,
    by model, kind (KINDS order), then most given first."""
    rows: list[tuple[str, str, str]] = []
    for model_a, model_b, winner, reasons in votes[["model_a", "model_b", "winner",
                                                    "reasons"]].itertuples(index=False):
        if winner in ("model_a", "model_b"):
            won, lost = (model_a, model_b) if winner == "model_a" else (model_b, model_a)
            rows += [(won, WINS, r) for r in reasons] + [(lost, LOSSES, r) for r in reasons]
        elif winner in REASONS_BY_WINNER:
            kind = BOTH_BAD_KIND if winner == BOTH_BAD else TIES
            rows += [(m, kind, r) for m in (model_a, model_b) for r in reasons]
    if not rows:
        return pd.DataFrame(columns=REASON_COUNT_COLUMNS)
    counts = (pd.DataFrame(rows, columns=REASON_COUNT_COLUMNS[:3])
              .value_counts().rename("count").reset_index())
    counts["kind_order"] = counts["kind"].map(KINDS.index)
    counts = counts.sort_values(["model", "kind_order", "count", "reason"],
                                ascending=[True, True, False, True])
    return counts[REASON_COUNT_COLUMNS].reset_index(drop=True)
