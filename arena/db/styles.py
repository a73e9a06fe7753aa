"""What style control reads of the votes (arena.style_control): the counted votes with their two
answers' style counts, which each vote carries (schema 13), and how many votes have no answer
texts (imported battles without them) and are left out.

A million votes are read in one scan without a GROUP BY (sorting text keys is most of the time
a GROUP BY takes) and without a Python object per vote: SQLite turns each vote into three
integers (its category, pair and outcome as one code, and each side's packed counts, as stored),
the scan joins each into one comma-separated text, and numpy parses and groups them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from arena import ratings
from arena.db.bulk import STYLE_BITS, STYLE_SHIFTS
from arena.db.connection import Database
from arena.db.filters import VoteFilter
from arena.style_control import GROUP_COLUMNS, StyleVotes

# -1: a vote with no answer texts (a side without text has NULL, read as 0 when the other side
# has text).
_HAS_TEXT = "(style_a IS NOT NULL OR style_b IS NOT NULL)"
_WINNERS = ("model_a", "model_b", "tie", "tie (bothbad)")


def _packed(side: str) -> str:
    return f"CASE WHEN {_HAS_TEXT} THEN IFNULL(style_{side}, 0) ELSE -1 END"


def _code(column: str, count: int, first: int) -> str:
    """The index of `column`'s value among the sorted parameters ?first … ?(first + count − 1),
    -1 if none matches: a binary search (text compares as its UTF-8 bytes, the order of
    Python's sorted()), so a vote costs about log2(count) comparisons, not count."""
    def search(low: int, high: int) -> str:
        if high - low == 1:
            return f"CASE WHEN {column} = ?{first + low} THEN {low} ELSE -1 END"
        middle = (low + high) // 2
        return (f"CASE WHEN {column} < ?{first + middle} THEN ({search(low, middle)})"
                f" ELSE ({search(middle, high)}) END")

    return f"IFNULL({search(0, count)}, -1)" if count else "-1"


def _unpacked(packed: np.ndarray) -> np.ndarray:
    """Packed counts (arena.db.bulk.pack_style) back to one column per count."""
    return np.stack([(packed >> shift) & ((1 << bits) - 1)
                     for bits, shift in zip(STYLE_BITS, STYLE_SHIFTS)], axis=1)


class Styles(Database):
    """The votes' style counts, read for style control."""

    def style_votes(self, where: VoteFilter = VoteFilter()) -> StyleVotes:
        """The counted votes the filter selects that have answer texts, with their style counts,
        and per category how many were left out for having none. Votes on one prompt-set item
        share a cluster (arena.ratings.item_clusters), as the plain board's bootstrap has them.

        The scan runs in two halves of the votes (by rowid) on two connections at once: SQLite
        lets go of Python's interpreter lock while it works, so a second core halves the time.
        (A vote cast meanwhile may be in one half's snapshot and not in the names: it is left
        for the next read.)"""
        clause, params = where.where()
        with self.reading() as conn:
            conn.execute("BEGIN")  # the names, the set votes and the extent of one moment
            # Every name a counted vote can have is in the tally (a few thousand rows).
            models = [r[0] for r in conn.execute(
                "SELECT model_a FROM vote_tally UNION SELECT model_b FROM vote_tally"
                " ORDER BY 1")]
            categories = [r[0] for r in conn.execute(
                "SELECT DISTINCT category FROM vote_tally ORDER BY 1")]
            items = pd.DataFrame(conn.execute(_SET_VOTE_ITEMS.format(where=clause),
                                              params).fetchall(),
                                 columns=["rowid", "prompt_set", "item_id", "prompt"])
            last = conn.execute("SELECT IFNULL(MAX(rowid), 0) FROM votes").fetchone()[0]
            conn.execute("COMMIT")
        middle, with_rowids = last // 2, not items.empty
        with ThreadPoolExecutor(2) as pool:
            halves = list(pool.map(
                lambda span: self._scan(where, models, categories, with_rowids, *span),
                [(0, middle), (middle + 1, last)]))
        rows = tuple(",".join(filter(None, parts)) for parts in zip(*halves))
        return _style_votes(rows, models, categories, items)

    def _scan(self, where: VoteFilter, models: list[str], categories: list[str],
              with_rowids: bool, first: int, last: int) -> tuple:
        """The votes with rowids first … last as comma-separated texts: their codes, each
        side's packed counts, and (`with_rowids`) their rowids."""
        clause, params = where.where()
        m, c, w = len(models), len(categories), len(_WINNERS)
        key = (f"(({_code('category', c, m + 1)} * {m} + {_code('model_a', m, 1)}) * {m}"
               f" + {_code('model_b', m, 1)}) * {w} + {_code('winner', w, m + c + 1)}")
        rowids = ", group_concat(rowid)" if with_rowids else ""
        with self.reading() as conn:
            # The numbered parameters first; the filter's `?` come after them (SQLite numbers a
            # `?` one past the largest number before it).
            return conn.execute(
                f"SELECT group_concat({key}), group_concat({_packed('a')}),"
                f" group_concat({_packed('b')}){rowids} FROM votes"
                f" WHERE rowid BETWEEN ? AND ? AND {clause}",
                [*models, *categories, *_WINNERS, first, last, *params]).fetchone()


# The counted votes on set battles (`where`: a VoteFilter's condition on the votes' columns),
# with their items: found through the index of set battles, as arena.db.votes.SET_VOTES.
_SET_VOTE_ITEMS = ("SELECT v.rowid, b.prompt_set, b.item_id, b.prompt FROM battles b"
                   " CROSS JOIN votes v WHERE b.prompt_set IS NOT NULL AND v.battle_id = b.id"
                   " AND {where}")


def _parsed(text: str | None) -> np.ndarray:
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)


def _style_votes(rows: tuple, models: list[str], categories: list[str],
                 items: pd.DataFrame) -> StyleVotes:
    """The parsed columns (codes, side a's packed counts, side b's, and the rowids when some
    votes are on set items) as StyleVotes: votes sorted by their (category, pair, outcome)
    code, one group per code, with their items' clusters."""
    key, a, b = (_parsed(text) for text in rows[:3])
    clusters = _clusters(_parsed(rows[3]), items) if len(rows) > 3 else None
    m, w = len(models), len(_WINNERS)
    known = (key >= 0) & _known_codes(key, m, len(categories))
    category = key // (w * m * m)
    with_text = a >= 0
    left = np.bincount(category[known & ~with_text], minlength=len(categories))
    left_out = pd.Series(left, index=categories, dtype="int64")
    kept = known & with_text
    key, a, b = key[kept], a[kept], b[kept]
    order = np.argsort(key, kind="stable")
    codes, size = np.unique(key[order], return_counts=True)
    names = np.array(models, dtype=object)
    groups = pd.DataFrame({
        "category": np.array(categories, dtype=object)[codes // (w * m * m)],
        "model_a": names[codes // (w * m) % m], "model_b": names[codes // w % m],
        "winner": np.array(_WINNERS, dtype=object)[codes % w], "count": size})
    counts = np.concatenate([_unpacked(a[order]), _unpacked(b[order])], axis=1)
    return StyleVotes(groups[GROUP_COLUMNS], counts, left_out[left_out > 0],
                      None if clusters is None else clusters[kept][order])


def _clusters(rowids: np.ndarray, items: pd.DataFrame) -> np.ndarray:
    """Each vote's cluster index (its set item's), −1 for a vote on its own."""
    codes = pd.factorize(ratings.item_clusters(items).astype("string"))[0]
    by_rowid = np.argsort(items["rowid"].to_numpy(dtype=np.int64))
    known = items["rowid"].to_numpy(dtype=np.int64)[by_rowid]
    at = np.clip(np.searchsorted(known, rowids), 0, max(len(known) - 1, 0))
    found = (known[at] == rowids) if len(known) else np.zeros(len(rowids), dtype=bool)
    return np.where(found, codes[by_rowid][at], -1).astype(np.int64)


def _known_codes(key: np.ndarray, m: int, c: int) -> np.ndarray:
    """Whether each code is made of known parts (a vote whose name was not found has a -1
    part, which no longer decodes to itself)."""
    w = len(_WINNERS)
    parts = (key // (w * m * m), key // (w * m) % m, key // w % m, key % w)
    rebuilt = ((parts[0] * m + parts[1]) * m + parts[2]) * w + parts[3]
    return (rebuilt == key) & (parts[0] < c)
